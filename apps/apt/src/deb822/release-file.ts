/** Release files (and the signed text of InRelease): their fields and the table of index files with sizes and digests. */
import { LarderError } from '@larder/core'
import { field, parseStanzas } from './deb822.js'

/** Release sections and the digest algorithm each lists. */
export const RELEASE_HASH_SECTIONS = { MD5Sum: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' } as const
export type ReleaseAlgorithm = (typeof RELEASE_HASH_SECTIONS)[keyof typeof RELEASE_HASH_SECTIONS]

export interface IndexFileFacts {
  size: number
  md5?: string
  sha1?: string
  sha256?: string
  sha512?: string
}

export interface ReleaseFacts {
  /** ms since epoch, from `Date` (undefined when absent or unreadable). */
  date: number | undefined
  validUntil: number | undefined
  acquireByHash: boolean
  /** Index path relative to dists/<suite>/ -> size and digests. */
  files: Record<string, IndexFileFacts>
}

export function parseRelease(text: string, label: string): ReleaseFacts {
  const [stanza] = parseStanzas(text, label, 'E_UPSTREAM_GARBAGE')
  if (!stanza) throw new LarderError('E_UPSTREAM_GARBAGE', `${label} is empty`)
  const files: Record<string, IndexFileFacts> = {}
  let listed = false
  for (const [section, algorithm] of Object.entries(RELEASE_HASH_SECTIONS)) {
    const value = field(stanza, section)
    if (value === undefined) continue
    listed = true
    for (const line of value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)) {
      const [digest, size, path] = line.split(/\s+/)
      if (!digest || !/^[0-9a-f]+$/i.test(digest) || !size || !/^\d+$/.test(size) || !path) {
        throw new LarderError('E_UPSTREAM_GARBAGE', `${label}: bad ${section} line "${line}"`)
      }
      const facts = (files[path] ??= { size: Number(size) })
      facts[algorithm] = digest.toLowerCase()
    }
  }
  if (!listed && field(stanza, 'Suite') === undefined && field(stanza, 'Codename') === undefined) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `${label} has neither a Suite, a Codename nor any index list`)
  }
  return {
    date: parseDate(field(stanza, 'Date')),
    validUntil: parseDate(field(stanza, 'Valid-Until')),
    acquireByHash: field(stanza, 'Acquire-By-Hash')?.toLowerCase() === 'yes',
    files,
  }
}

function parseDate(value: string | undefined): number | undefined {
  if (!value) return undefined
  const ms = Date.parse(value.replace(/\bUTC$/, '+0000'))
  return Number.isNaN(ms) ? undefined : ms
}
