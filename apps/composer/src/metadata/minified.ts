/** Composer's "composer/2.0" minified p2 format: each version holds only the keys that changed from the one before. */

export type ComposerVersion = Record<string, unknown>

export const MINIFIED_FORMAT = 'composer/2.0'
export const UNSET_MARKER = '__unset'

/** Expands as Composer's MetadataMinifier::expand does: key by key (not deep), "__unset" removes a key. */
export function expandMinified(versions: readonly ComposerVersion[]): ComposerVersion[] {
  const out: ComposerVersion[] = []
  let current: ComposerVersion | undefined
  for (const version of versions) {
    if (!current) {
      current = { ...version }
    } else {
      current = { ...current }
      for (const [key, value] of Object.entries(version)) {
        if (value === UNSET_MARKER) delete current[key]
        else current[key] = value
      }
    }
    out.push(current)
  }
  return out
}

/** The versions of `name` in a p2 document, expanded when the document says it is minified. */
export function versionsOf(document: unknown, name: string): ComposerVersion[] {
  if (typeof document !== 'object' || document === null) throw new Error('a p2 document is a JSON object')
  const { packages: listed, minified } = document as { packages?: unknown; minified?: unknown }
  // PHP's json_encode writes an empty map as [], and Composer reads it as no versions.
  const packages = Array.isArray(listed) && listed.length === 0 ? {} : listed
  if (typeof packages !== 'object' || packages === null || Array.isArray(packages)) throw new Error('a p2 document has a "packages" object')
  const versions = (packages as Record<string, unknown>)[name] ?? []
  if (!Array.isArray(versions) || versions.some((v) => typeof v !== 'object' || v === null || Array.isArray(v))) {
    throw new Error(`"packages"."${name}" is not a list of versions`)
  }
  if (minified !== undefined && minified !== MINIFIED_FORMAT) throw new Error(`unknown minified format ${JSON.stringify(minified)}`)
  return minified === MINIFIED_FORMAT ? expandMinified(versions as ComposerVersion[]) : (versions as ComposerVersion[])
}
