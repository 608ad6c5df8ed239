/** @larder/npm: the npm registry protocol on the Larder core. */
export { createApp, DEFAULT_NPM_PREFIX, PRIVATE_SCOPES_ENV, parsePrivateScopes, type NpmAppOptions } from './app.js'
