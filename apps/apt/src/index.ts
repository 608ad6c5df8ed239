/** @larder/apt: APT archive mirrors (consistent generations) and a signed hosted repository on the Larder core. */
export { createApp, DEFAULT_APT_PREFIX, type AptApp, type AptAppOptions } from './app.js'
export { loadAptConfig, type AptConfig } from './config/apt-config.js'
