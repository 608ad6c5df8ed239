/** @larder/gems: the RubyGems protocol (compact index, legacy specs, push) on the Larder core. */
export { createApp, DEFAULT_GEMS_PREFIX, type GemsAppOptions } from './app.js'
