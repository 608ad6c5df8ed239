/** A Packages index read into what a list line needs: each package's versions with their pool path and digests. */
import type { Digests } from '../digests.js'

export interface PackageFile {
  version: string
  arch: string
  /** The pool path (Filename), relative to the archive's root. */
  filename: string
  /** One, by Node hash name: SHA256 in every current archive. */
  digests: Digests
}

/** Package name -> its stanzas. */
export type PackagesTable = ReadonlyMap<string, readonly PackageFile[]>

/** Packages field names (lower-cased) -> Node hash names, in the order one is chosen. */
const DIGEST_FIELDS: Record<string, string> = { sha256: 'sha256', sha512: 'sha512', sha1: 'sha1', md5sum: 'md5' }

/**
 * One pass over the lines, keeping only the fields it needs: Debian's main/binary-amd64 is ~60 000 stanzas in
 * 50 MB, read once per list however many lines it has (apt-list.ts keeps the table).
 */
export function parsePackages(text: string): PackagesTable {
  const table = new Map<string, PackageFile[]>()
  let fields: Record<string, string> = {}
  const flush = () => {
    const { package: name, version, architecture, filename } = fields
    if (name && version && architecture && filename) {
      // The strongest one the stanza gives is enough: apt checks that one too.
      const field = Object.keys(DIGEST_FIELDS).find((f) => fields[f])
      const digests = field ? { [DIGEST_FIELDS[field]!]: fields[field]!.toLowerCase() } : {}
      let files = table.get(name)
      if (!files) table.set(name, (files = []))
      files.push({ version, arch: architecture, filename, digests })
    }
    fields = {}
  }
  for (const line of text.split('\n')) {
    if (line === '' || line === '\r') {
      flush()
      continue
    }
    // Continuation lines (Description, Conffiles) carry nothing needed here.
    if (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) continue
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).toLowerCase()
    if (name === 'package' || name === 'version' || name === 'architecture' || name === 'filename' || name in DIGEST_FIELDS) {
      fields[name] = line.slice(colon + 1).trim()
    }
  }
  flush()
  return table
}
