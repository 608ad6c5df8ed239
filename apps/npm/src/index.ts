/** @larder/npm: the npm registry protocol on the Larder core. */
export { createApp, DEFAULT_NPM_PREFIX, type NpmAppOptions } from './app.js'
