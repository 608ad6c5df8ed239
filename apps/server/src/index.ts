/** @larder/server: the all-in-one Larder server. */
export { createServerApp, MIRRORS } from './server-app.js'
