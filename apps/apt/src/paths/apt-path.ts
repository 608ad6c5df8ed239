/** Parses the path after /apt/<archive>/ into what is asked for; names that could escape their folder are refused. */
import { LarderError } from '@larder/core'
import { RELEASE_HASH_SECTIONS, type ReleaseAlgorithm } from '../deb822/release-file.js'

export const RELEASE_FILES = ['InRelease', 'Release', 'Release.gpg'] as const
export type ReleaseFileName = (typeof RELEASE_FILES)[number]
export const KEYRING_FILES = { 'larder-archive-keyring.gpg': 'binary', 'larder-archive-keyring.asc': 'armored' } as const

/** One decoded path segment: Debian names, versions (~ + : included) and hashes, never '.', '..' or a slash. */
const SEGMENT = /^[A-Za-z0-9._~+:=@-]+$/

export type AptPath =
  | { kind: 'release'; suite: string; file: ReleaseFileName }
  | { kind: 'by-hash'; suite: string; dir: string; algorithm: ReleaseAlgorithm; hash: string }
  | { kind: 'index'; suite: string; path: string }
  | { kind: 'pool'; path: string }
  | { kind: 'keyring'; format: 'binary' | 'armored' }
  | { kind: 'upload'; filename: string | undefined }
  | { kind: 'unknown' }

export interface ArchivePath {
  archive: string
  path: AptPath
}

/** Splits an already-normalized pathname (below the prefix) into decoded, checked segments. */
export function decodeSegments(raw: string): string[] {
  const parts = raw.split('/').filter((s) => s !== '')
  return parts.map((part) => {
    let decoded: string
    try {
      decoded = decodeURIComponent(part)
    } catch {
      throw new LarderError('E_INVALID_NAME', `"${part}" is not a valid path segment`)
    }
    if (!SEGMENT.test(decoded) || decoded === '.' || decoded === '..') {
      throw new LarderError('E_INVALID_NAME', `"${decoded}" is not an allowed name in an APT path`, {
        hint: 'names may hold letters, digits and . _ ~ + : = @ - (no slashes, no "..")',
      })
    }
    return decoded
  })
}

export function parseAptPath(raw: string): ArchivePath | undefined {
  const segments = decodeSegments(raw)
  const [archive, top, ...rest] = segments
  if (!archive) return undefined
  return { archive, path: classify(top, rest) }
}

function classify(top: string | undefined, rest: string[]): AptPath {
  if (top === undefined) return { kind: 'unknown' }
  if (top === 'upload' && rest.length <= 1) return { kind: 'upload', filename: rest[0] }
  if (rest.length === 0 && top in KEYRING_FILES) return { kind: 'keyring', format: KEYRING_FILES[top as keyof typeof KEYRING_FILES] }
  if (top === 'pool' && rest.length > 0) return { kind: 'pool', path: ['pool', ...rest].join('/') }
  if (top !== 'dists' || rest.length < 2) return { kind: 'unknown' }
  const [suite, ...inside] = rest as [string, ...string[]]
  if (inside.length === 1 && (RELEASE_FILES as readonly string[]).includes(inside[0]!)) {
    return { kind: 'release', suite, file: inside[0] as ReleaseFileName }
  }
  const n = inside.length
  if (n >= 3 && inside[n - 3] === 'by-hash') {
    const algorithm = RELEASE_HASH_SECTIONS[inside[n - 2] as keyof typeof RELEASE_HASH_SECTIONS]
    const hash = inside[n - 1]!.toLowerCase()
    if (!algorithm || !/^[0-9a-f]{32,128}$/.test(hash)) return { kind: 'unknown' }
    return { kind: 'by-hash', suite, dir: inside.slice(0, n - 3).join('/'), algorithm, hash }
  }
  return { kind: 'index', suite, path: inside.join('/') }
}

/** A relative path as an URL path, each segment percent-encoded. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}
