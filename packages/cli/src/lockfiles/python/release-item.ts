/**
 * A release a Python lockfile pins, as a locked item: its project page, then the files of that version the
 * lockfile names (exactly those, each held to the lockfile's digests) or, where it gives only hashes
 * (Pipfile.lock), the files matching them, as for a requirements line.
 */
import { type Digests, fromAlgorithmHex } from '../digests.js'
import type { LockedArtifact, LockedItem } from '../locked-item.js'
import { normalizeName } from '../pip/pep440.js'
import { SIMPLE_JSON } from '../pip/requirements-file.js'
import { filesOfRelease } from '../pip/simple-page.js'

/** A distribution file the lockfile names, with the digests it gives (empty when it gives none). */
export interface NamedFile {
  filename: string
  digests: Digests
}

export interface PinnedRelease {
  source: string
  name: string
  version: string
  /** The files the lockfile names (uv, Poetry, PEP 751); none: every file of the version, as pip would pick from. */
  files?: NamedFile[]
  /** Hashes that any one file of the version may match (Pipfile.lock). */
  hashes?: [string, string][]
}

export function unholdable(source: string, name: string, version: string, why: string): LockedItem {
  return { ecosystem: 'pypi', source, name, version, indexes: [], artifacts: [], problem: why }
}

export function releaseItem(release: PinnedRelease): LockedItem {
  const { source, name, version } = release
  const page = { path: `/pypi/simple/${normalizeName(name)}/`, accept: SIMPLE_JSON }
  const base = { ecosystem: 'pypi' as const, source, name, version, indexes: [page], artifacts: [] }
  const files = release.files ?? []
  if (files.length === 0) return { ...base, resolve: (documents) => filesOfRelease(documents, page, name, version, release.hashes ?? []) }
  // With a sha256 for every file the page's own digests pick them, so a wrong hash fails before any download.
  const sha256s = files.every((file) => file.digests.sha256) ? files.map((file): [string, string] => ['sha256', file.digests.sha256!]) : []
  return {
    ...base,
    resolve(documents) {
      const wanted = new Map(files.map((file) => [file.filename.toLowerCase(), file]))
      const chosen: LockedArtifact[] = []
      for (const artifact of filesOfRelease(documents, page, name, version, sha256s)) {
        const key = fileNameOf(artifact.path).toLowerCase()
        const file = wanted.get(key)
        if (!file) continue
        wanted.delete(key)
        chosen.push({ path: artifact.path, expected: file.digests })
      }
      if (wanted.size > 0) {
        const missing = [...wanted.values()].map((file) => file.filename).join(', ')
        throw new Error(`the index lists no ${missing} among the files of ${name} ${version}`)
      }
      return chosen
    },
  }
}

/** The last segment of a URL or path, decoded: the file name a lockfile's `url` implies. */
export function fileNameOf(url: string): string {
  const path = url.split(/[?#]/, 1)[0]!
  const last = path.slice(path.lastIndexOf('/') + 1)
  try {
    return decodeURIComponent(last)
  } catch {
    return last
  }
}

/** `sha256:<hex>` strings (uv, Poetry, Pipfile.lock); a string for the first one that is not: the problem. */
export function parseHashes(texts: readonly unknown[]): [string, string][] | string {
  const hashes: [string, string][] = []
  for (const text of texts) {
    const hash = typeof text === 'string' ? fromAlgorithmHex(text) : undefined
    if (!hash) return `the hash ${JSON.stringify(text)} is not algorithm:hex`
    hashes.push(hash)
  }
  return hashes
}

/**
 * A PEP 751 `hashes` table ({sha256 = "…"}). Python's names are mapped to Node's (sha3_256 → sha3-256);
 * algorithms Node lacks are left out, as long as one remains to check the bytes by; a string is the problem.
 */
export function digestsOfTable(table: Record<string, unknown>): Digests | string {
  const digests: Record<string, string> = {}
  const unknown: string[] = []
  for (const [algorithm, hex] of Object.entries(table)) {
    const hash = typeof hex === 'string' ? fromAlgorithmHex(`${algorithm.toLowerCase().replace(/_/g, '-')}:${hex}`) : undefined
    if (hash) digests[hash[0]] = hash[1]
    else unknown.push(algorithm)
  }
  if (Object.keys(digests).length === 0 && unknown.length > 0) return `no hash larder can check in {${unknown.join(', ')}}`
  return digests
}

export function digestsOf(hashes: readonly [string, string][]): Digests {
  return Object.fromEntries(hashes)
}
