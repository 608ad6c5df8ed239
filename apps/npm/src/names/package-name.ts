/** npm package names: validation that keeps every name safe as a cache key, a URL segment and an upstream path. */
import { LarderError } from '@larder/core'

export const MAX_NAME_LENGTH = 214

export interface PackageName {
  /** 'left-pad' or '@scope/name'. */
  full: string
  scope: string | undefined
  /** The part after the scope; tarball files are named `${bare}-${version}.tgz`. */
  bare: string
}

// Legacy packages may have capitals (e.g. JSONStream); new names may not, but a mirror must serve both.
const PART = /^[A-Za-z0-9~-][A-Za-z0-9._~-]*$/

export function parsePackageName(full: string): PackageName {
  const invalid = (why: string) =>
    new LarderError('E_INVALID_NAME', `invalid package name "${full.slice(0, 80)}": ${why}`, {
      hint: 'names are like left-pad or @scope/name',
    })
  if (full.length === 0 || full.length > MAX_NAME_LENGTH) throw invalid(`length must be 1 to ${MAX_NAME_LENGTH}`)
  let scope: string | undefined
  let bare = full
  if (full.startsWith('@')) {
    const slash = full.indexOf('/')
    if (slash < 0) throw invalid('a scoped name needs a slash')
    scope = full.slice(1, slash)
    bare = full.slice(slash + 1)
    if (!PART.test(scope) || scope.startsWith('.')) throw invalid('bad scope')
  }
  if (!PART.test(bare)) throw invalid('only letters, digits and - . _ ~ are allowed, and not first . or _')
  if (bare === 'node_modules' || bare === 'favicon.ico') throw invalid('reserved name')
  return { full, scope, bare }
}

/** The path segment for a name as upstream registries expect it ('@scope%2fname'). */
export function encodePackageName(name: PackageName): string {
  return name.scope ? `@${name.scope}%2f${name.bare}` : name.bare
}
