/** The RubyGems mirror's settings (LARDER_GEMS_*), read and checked once at start. */
import { readHttpUrl, type Env, type PrivateNameList } from '@larder/core'
import { PRIVATE_NAMES_ENV, parsePrivateNames } from '../private/private-names.js'

export const DEFAULT_GEMS_UPSTREAM = 'https://rubygems.org'
export const UPSTREAM_ENV = 'LARDER_GEMS_UPSTREAM'

export interface GemsSettings {
  /** The gem source mirrored, without a trailing slash. */
  upstream: string
  /** Gems (or `prefix*`) private before their first push. */
  privateNames: PrivateNameList
}

export function readGemsSettings(env: Env): GemsSettings {
  return {
    upstream: readHttpUrl(env, UPSTREAM_ENV, DEFAULT_GEMS_UPSTREAM),
    privateNames: parsePrivateNames(env[PRIVATE_NAMES_ENV]),
  }
}
