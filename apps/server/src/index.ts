/** @larder/server: the all-in-one Larder server. */
export { createServerApp } from './server-app.js'
