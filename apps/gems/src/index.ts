/** @larder/gems: the RubyGems protocol (compact index, legacy specs, push) on the Larder core. */
export { createApp, createGemsApp, createGemsContext, DEFAULT_GEMS_PREFIX, gemsMirror, type GemsApp } from './app.js'
export { DEFAULT_GEMS_UPSTREAM, readGemsSettings, type GemsSettings } from './settings/gems-settings.js'
