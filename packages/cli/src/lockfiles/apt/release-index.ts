/**
 * What an InRelease says the suite has: the index files it lists (paths below dists/<suite>/). The signature is
 * not checked here: Larder checks it against LARDER_APT_KEYRINGS before serving, and apt checks it again.
 */

export interface ReleaseIndex {
  /** Paths relative to dists/<suite>/, e.g. main/binary-amd64/Packages.xz. */
  files: Set<string>
  architectures: string[]
  components: string[]
}

const HASH_SECTIONS = new Set(['md5sum', 'sha1', 'sha256', 'sha512'])

/** The signed text of a clear-signed message (RFC 4880 7.1), dash-escaping undone; a Release that is not signed is itself. */
export function signedText(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const begin = lines.indexOf('-----BEGIN PGP SIGNED MESSAGE-----')
  if (begin === -1) return text
  let at = begin + 1
  while (at < lines.length && lines[at] !== '') at++
  const end = lines.indexOf('-----BEGIN PGP SIGNATURE-----', at)
  return lines
    .slice(at + 1, end === -1 ? undefined : end)
    .map((line) => (line.startsWith('- ') ? line.slice(2) : line))
    .join('\n')
}

export function parseReleaseIndex(text: string, label: string): ReleaseIndex {
  const files = new Set<string>()
  const fields = new Map<string, string>()
  let section: string | undefined
  for (const line of signedText(text).split('\n')) {
    if (line.trim() === '') {
      // One stanza only: anything after a blank line is not the Release.
      if (fields.size > 0) break
      continue
    }
    if (/^\s/.test(line)) {
      // " <digest> <size> <path>" under a hash section.
      const path = line.trim().split(/\s+/)[2]
      if (section && HASH_SECTIONS.has(section) && path) files.add(path)
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) throw new Error(`${label}: "${line.slice(0, 60)}" is not a Release field`)
    section = line.slice(0, colon).toLowerCase()
    fields.set(section, line.slice(colon + 1).trim())
  }
  if (fields.size === 0) throw new Error(`${label} is empty or not a Release`)
  const words = (name: string) => (fields.get(name) ?? '').split(/\s+/).filter(Boolean)
  return { files, architectures: words('architectures'), components: words('components') }
}
