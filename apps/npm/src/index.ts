/** @larder/npm: the npm registry protocol on the Larder core. */
export { createApp, DEFAULT_NPM_PREFIX, npmMirror } from './app.js'
export { PRIVATE_SCOPES_ENV, parsePrivateScopes, readNpmSettings, type NpmSettings } from './settings/npm-settings.js'
