/**
 * artifacts.lock.yaml, Hermeto's generic lockfile: files by download URL and checksum.
 *
 *     metadata:
 *       version: '1.0'
 *     artifacts:
 *       - download_url: https://github.com/acme/tool/releases/download/v1.0.0/tool-linux-amd64.tar.gz
 *         checksum: sha256:<hex>
 *         filename: tool.tar.gz
 *
 * Each file is fetched from the files mirror in place of its URL, under the LARDER_FILES_UPSTREAMS entry
 * whose base URL it starts with, and pinned: `/files/github/acme/tool/.../tool-linux-amd64.tar.gz?sha256=<hex>`
 * (Larder refuses other bytes before storing any). A checksum of another algorithm is checked by larder
 * against the bytes, without the pin. A URL under no upstream cannot be mirrored and fails naming the setting.
 */
import { parseLimitedYaml } from '@larder/core'
import { readFilesSettings, UPSTREAMS_ENV } from '@larder/files'
import { fromAlgorithmHex } from '../digests.js'
import type { LockfileFormat, ReadContext } from '../lockfile-format.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { mirroredPath, pinned } from './files-url.js'

export const ARTIFACTS_LOCK = 'artifacts.lock.yaml'
/** Hermeto's lockfiles list a few hundred files at most; this bounds what is parsed. */
const MAX_LOCKFILE_BYTES = 16 * 1024 * 1024

export const artifactsLockFormat: LockfileFormat = {
  name: ARTIFACTS_LOCK,
  byName: (name) => name === ARTIFACTS_LOCK || name.endsWith('.artifacts.lock.yaml'),
  byContent: (text) => /^metadata:/m.test(text) && /^artifacts:/m.test(text) && /download_url:/.test(text),
  read: (path, text, context) => readArtifactsLock(path, text, context),
}

interface Entry {
  download_url?: unknown
  checksum?: unknown
  filename?: unknown
}

export function readArtifactsLock(path: string, text: string, context: Pick<ReadContext, 'env'>): ReadLockfile {
  // failsafe: every scalar a string, so version 1.0 unquoted stays "1.0".
  const doc = parseLimitedYaml(text, { label: path, maxBytes: MAX_LOCKFILE_BYTES, schema: 'failsafe' }) as {
    metadata?: { version?: unknown }
    artifacts?: unknown
  } | null
  const version = doc?.metadata?.version
  if (version !== '1.0') throw new Error(`${path}: metadata.version is ${JSON.stringify(version ?? null)}; larder reads artifacts.lock.yaml version '1.0'`)
  if (!Array.isArray(doc?.artifacts)) throw new Error(`${path}: artifacts is not a list`)
  const { upstreams } = readFilesSettings(context.env)
  const items = (doc.artifacts as Entry[]).map((entry, i) => toItem(`${path} artifacts[${i}]`, entry ?? {}, upstreams))
  return { path, format: ARTIFACTS_LOCK, items, skipped: 0 }
}

function toItem(source: string, entry: Entry, upstreams: Readonly<Record<string, string>>): LockedItem {
  const urlText = typeof entry.download_url === 'string' ? entry.download_url.trim() : ''
  let url: URL | undefined
  try {
    url = new URL(urlText)
  } catch {
    url = undefined
  }
  const fromUrl = url ? lastSegment(url) : ''
  const name = typeof entry.filename === 'string' && entry.filename ? entry.filename : fromUrl || urlText
  const base = { ecosystem: 'files' as const, source, name, version: '', indexes: [], artifacts: [] }
  if (!url || !/^https?:$/.test(url.protocol)) return { ...base, problem: `download_url ${JSON.stringify(entry.download_url ?? null)} is not an http(s) URL` }
  // Hermeto writes the algorithm lower-case; SHA256:... is read as well.
  const checksum = typeof entry.checksum === 'string' ? fromAlgorithmHex(entry.checksum.trim().replace(/^[^:]+/, (a) => a.toLowerCase())) : undefined
  if (!checksum) return { ...base, problem: `checksum ${JSON.stringify(entry.checksum ?? null)} is not algorithm:hex (sha256:<64 hex digits>)` }
  const [algorithm, hex] = checksum
  const mirrored = mirroredPath(url, upstreams)
  if (!mirrored) {
    const names = Object.entries(upstreams).map(([n, u]) => `${n}=${u}`)
    return {
      ...base,
      problem: `${url.href} is under no upstream of ${UPSTREAMS_ENV} (${names.join(',') || 'none'}): add its host, e.g. ${UPSTREAMS_ENV}=${[...names, `name=${url.origin}`].join(',')}`,
    }
  }
  if (url.searchParams.has('sha256')) return { ...base, problem: `${url.href} has its own ?sha256=, which the files mirror reads as its pin` }
  const sha256 = algorithm === 'sha256' && /^[0-9a-f]{64}$/.test(hex)
  return {
    ...base,
    artifacts: [{ path: sha256 ? pinned(mirrored.path, hex) : mirrored.path, expected: { [algorithm]: hex } }],
    purl: genericPurl(name, url.href, `${algorithm}:${hex}`),
  }
}

/** `pkg:generic/tool.tar.gz?checksum=sha256:<hex>&download_url=https://...` (qualifiers sorted, as purl-spec says). */
export function genericPurl(name: string, downloadUrl: string, checksum: string): string {
  const enc = (text: string) => encodeURIComponent(text).replace(/%3A/g, ':').replace(/%2F/g, '/')
  return `pkg:generic/${encodeURIComponent(name)}?checksum=${enc(checksum)}&download_url=${enc(downloadUrl)}`
}

function lastSegment(url: URL): string {
  const raw = url.pathname.split('/').at(-1) ?? ''
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}
