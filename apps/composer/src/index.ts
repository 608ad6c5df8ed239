/** @larder/composer: a Composer v2 repository (mirror + uploads) on the Larder core. */
export { composerMirror, createApp, DEFAULT_COMPOSER_PREFIX } from './app.js'
export { DIST_HOSTS_ENV, parseDistHosts, type DistHosts } from './dists/dist-hosts.js'
export { DIST_TOKENS_ENV, parseDistTokens, type DistTokens } from './dists/dist-tokens.js'
export { DEFAULT_COMPOSER_UPSTREAM, UPSTREAM_ENV, readComposerSettings, type ComposerSettings } from './settings/composer-settings.js'
