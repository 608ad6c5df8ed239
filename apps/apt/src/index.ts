/** @larder/apt: APT archive mirrors (consistent generations) and a signed hosted repository on the Larder core. */
export { aptMirror, createApp, createAptContext, createAptHandler, DEFAULT_APT_PREFIX, type AptApp, type AptHandler } from './app.js'
export { loadAptConfig, type AptConfig } from './config/apt-config.js'
export { DEFAULT_APT_UPSTREAMS, UPSTREAMS_ENV, readAptSettings, type AptSettings } from './settings/apt-settings.js'
