/** The npm mirror's settings (LARDER_NPM_*), read and checked once at start. */
import { LarderError, readHttpUrl, type Env, type PrivateNameList } from '@larder/core'
import { PRIVATE_NAMES_ENV, parsePrivateNames } from '../private/private-names.js'

export const DEFAULT_NPM_UPSTREAM = 'https://registry.npmjs.org'
export const UPSTREAM_ENV = 'LARDER_NPM_UPSTREAM'
export const PRIVATE_SCOPES_ENV = 'LARDER_NPM_PRIVATE_SCOPES'

export interface NpmSettings {
  /** The registry mirrored, without a trailing slash. */
  upstream: string
  /** Bare scope names ('acme') private before anything is published in them. */
  privateScopes: ReadonlySet<string>
  /** Exact names private before their first publish. */
  privateNames: PrivateNameList
}

export function readNpmSettings(env: Env): NpmSettings {
  return {
    upstream: readHttpUrl(env, UPSTREAM_ENV, DEFAULT_NPM_UPSTREAM),
    privateScopes: new Set(parsePrivateScopes(env[PRIVATE_SCOPES_ENV])),
    privateNames: parsePrivateNames(env[PRIVATE_NAMES_ENV]),
  }
}

/** Parses `@acme,@internal` (LARDER_NPM_PRIVATE_SCOPES) into bare scope names. */
export function parsePrivateScopes(text: string | undefined): string[] {
  const scopes = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const scope of scopes) {
    if (!/^@[a-z0-9~-][a-z0-9._~-]*$/.test(scope)) {
      throw new LarderError('E_INVALID_OPTION', `${PRIVATE_SCOPES_ENV}: "${scope}" is not a scope like @acme`)
    }
  }
  return scopes.map((scope) => scope.slice(1))
}
