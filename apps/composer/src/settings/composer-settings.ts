/** The Composer mirror's settings (LARDER_COMPOSER_*), read and checked once at start. */
import { readHttpUrl, type Env, type PrivateNameList } from '@larder/core'
import { DIST_HOSTS_ENV, parseDistHosts, type DistHosts } from '../dists/dist-hosts.js'
import { DIST_TOKENS_ENV, parseDistTokens, type DistTokens } from '../dists/dist-tokens.js'
import { PRIVATE_NAMES_ENV, parsePrivateNames } from '../private/private-names.js'

export const DEFAULT_COMPOSER_UPSTREAM = 'https://repo.packagist.org'
export const UPSTREAM_ENV = 'LARDER_COMPOSER_UPSTREAM'

export interface ComposerSettings {
  /** The repository mirrored (packagist by default), without a trailing slash. */
  upstream: string
  /** `vendor/*` or `vendor/name` private before their first upload. */
  privateNames: PrivateNameList
  /** host -> token for dist downloads. */
  distTokens: DistTokens
  /** Hosts dists may be fetched from; undefined: any. */
  distHosts: DistHosts
}

export function readComposerSettings(env: Env): ComposerSettings {
  return {
    upstream: readHttpUrl(env, UPSTREAM_ENV, DEFAULT_COMPOSER_UPSTREAM),
    privateNames: parsePrivateNames(env[PRIVATE_NAMES_ENV]),
    distTokens: parseDistTokens(env[DIST_TOKENS_ENV]),
    distHosts: parseDistHosts(env[DIST_HOSTS_ENV]),
  }
}
