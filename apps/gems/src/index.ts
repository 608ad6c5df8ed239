/** @larder/gems: the RubyGems protocol (compact index, legacy specs, push) on the Larder core. */
export { createApp, createGemsApp, DEFAULT_GEMS_PREFIX, type GemsApp, type GemsAppOptions } from './app.js'
