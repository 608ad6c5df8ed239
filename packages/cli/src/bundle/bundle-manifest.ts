/**
 * The bundle `larder export` writes and `larder import` reads: a tar of larder-bundle.json (every entry and blob),
 * the blobs by sha256, sbom.cdx.json, and larder-bundle.sha256 (sha256sum lines of the two JSON files), in that order.
 */
import { NAMESPACE_PATTERN, SHA256_HEX_PATTERN, referencedBlobs, type BlobInfo, type CacheEntry } from '@larder/core'

export const BUNDLE_FORMAT = 'larder-bundle'
export const BUNDLE_VERSION = 1
export const MANIFEST_FILE = 'larder-bundle.json'
export const SBOM_FILE = 'sbom.cdx.json'
export const CHECKSUMS_FILE = 'larder-bundle.sha256'
export const BLOB_DIR = 'blobs/sha256/'
/** zstd frames start with these bytes (RFC 8878). */
export const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT
  version: typeof BUNDLE_VERSION
  createdAt: string
  /** The lockfiles it holds the closure of (path and sha256 of their bytes); empty for --all. */
  lockfiles: { path: string; sha256: string }[]
  entries: CacheEntry[]
  blobs: BlobInfo[]
}

export const blobFile = (sha256: string) => `${BLOB_DIR}${sha256}`

/** The manifest's problems, each naming what is wrong; empty when it can be imported. */
export function manifestProblems(manifest: unknown): string[] {
  const m = manifest as Partial<BundleManifest> | null
  if (!m || typeof m !== 'object') return ['it is not a JSON object']
  if (m.format !== BUNDLE_FORMAT || m.version !== BUNDLE_VERSION) return [`it is not a ${BUNDLE_FORMAT} version ${BUNDLE_VERSION} manifest`]
  if (!Array.isArray(m.entries) || !Array.isArray(m.blobs)) return ['it has no entries or blobs list']
  const problems: string[] = []
  const blobs = new Set<string>()
  for (const blob of m.blobs) {
    if (!blob || !SHA256_HEX_PATTERN.test(String(blob.sha256)) || !Number.isSafeInteger(blob.size) || blob.size < 0) {
      problems.push(`blob ${JSON.stringify(blob).slice(0, 100)} is not { sha256, size }`)
    } else blobs.add(blob.sha256)
  }
  const keys = new Set<string>()
  for (const entry of m.entries) {
    const key = typeof entry?.key === 'string' ? entry.key : ''
    const namespace = key.slice(0, key.indexOf(':'))
    if (!key.includes(':') || !NAMESPACE_PATTERN.test(namespace)) problems.push(`entry key ${JSON.stringify(key).slice(0, 100)} has no valid namespace`)
    else if (keys.has(key)) problems.push(`entry ${key} is listed twice`)
    else if (entry.status !== 'ok' || !Number.isFinite(entry.fetchedAt)) problems.push(`entry ${key} is not a held entry`)
    else
      for (const sha256 of referencedBlobs(entry)) if (!blobs.has(sha256)) problems.push(`entry ${key} needs blob ${sha256}, which the manifest does not list`)
    keys.add(key)
  }
  return problems
}
