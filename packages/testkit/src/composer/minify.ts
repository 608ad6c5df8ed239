/** Composer's "composer/2.0" minified metadata (MetadataMinifier): each version lists only what changed from the one before. */

export type ComposerVersion = Record<string, unknown>

export const MINIFIED_FORMAT = 'composer/2.0'
/** The value that removes a key the previous version had. */
export const UNSET = '__unset'

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** `versions` newest first, as Composer expects them. */
export function minifyVersions(versions: readonly ComposerVersion[]): ComposerVersion[] {
  const out: ComposerVersion[] = []
  let last: ComposerVersion | undefined
  for (const version of versions) {
    if (!last) {
      last = { ...version }
      out.push({ ...version })
      continue
    }
    const changed: ComposerVersion = {}
    for (const [key, value] of Object.entries(version)) {
      if (!(key in last) || !same(last[key], value)) {
        changed[key] = value
        last[key] = value
      }
    }
    for (const key of Object.keys(last)) {
      if (!(key in version)) {
        changed[key] = UNSET
        delete last[key]
      }
    }
    out.push(changed)
  }
  return out
}
