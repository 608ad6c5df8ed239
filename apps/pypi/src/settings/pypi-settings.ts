/** The PyPI mirror's settings (LARDER_PYPI_*), read and checked once at start. */
import { readHttpUrl, type Env, type PrivateNameList } from '@larder/core'
import { PRIVATE_NAMES_ENV, parsePrivateNames } from '../private/private-names.js'

export const DEFAULT_PYPI_UPSTREAM = 'https://pypi.org/simple'
export const UPSTREAM_ENV = 'LARDER_PYPI_UPSTREAM'

export interface PypiSettings {
  /** The simple index mirrored (PEP 503/691), without a trailing slash. */
  upstream: string
  /** Projects (or `prefix*`) private before their first upload. */
  privateNames: PrivateNameList
}

export function readPypiSettings(env: Env): PypiSettings {
  return {
    upstream: readHttpUrl(env, UPSTREAM_ENV, DEFAULT_PYPI_UPSTREAM),
    privateNames: parsePrivateNames(env[PRIVATE_NAMES_ENV]),
  }
}
