/** @larder/composer: a Composer v2 repository (mirror + uploads) on the Larder core. */
export { createApp, DEFAULT_COMPOSER_PREFIX, type ComposerAppOptions } from './app.js'
export { DIST_HOSTS_ENV, parseDistHosts, type DistHosts } from './dists/dist-hosts.js'
export { DIST_TOKENS_ENV, parseDistTokens, type DistTokens } from './dists/dist-tokens.js'
