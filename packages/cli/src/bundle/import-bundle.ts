/**
 * Reads a bundle into the store. Every blob is spooled and hashed, and the manifest and SBOM checked against
 * larder-bundle.sha256, before anything is written: a bundle with one byte changed is refused whole and the
 * store stays as it was. Then the blobs go in, then the entries (an entry newer here is kept).
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createZstdDecompress } from 'node:zlib'
import { LarderError, SHA256_HEX_PATTERN, readSafeTar, type CacheStore } from '@larder/core'
import { BLOB_DIR, CHECKSUMS_FILE, MANIFEST_FILE, SBOM_FILE, ZSTD_MAGIC, manifestProblems, type BundleManifest } from './bundle-manifest.js'

/** Far above the manifest of any real set of lockfiles (a million entries), far below what would exhaust memory. */
const MAX_MANIFEST_BYTES = 512 * 1024 * 1024

export interface ImportResult {
  entries: number
  /** Entries left as they were: the store's own copy was as new or newer. */
  kept: number
  blobs: number
  /** Blobs the store already had. */
  present: number
  bytes: number
  /** The sha256 of the bundle's manifest, and every key it lists (imported or kept). */
  manifestSha256: string
  keys: string[]
}

interface SpooledBlob {
  path: string
  sha256: string
  size: number
}

export async function importBundle(path: string, store: CacheStore, onBytes: (n: number) => void = () => {}): Promise<ImportResult> {
  const label = `the bundle ${path}`
  const spooled = new Map<string, SpooledBlob>()
  const spoolNames = join(store.spoolDir, `import-${process.pid}-${Date.now()}`)
  try {
    const files = await readSafeTar(await bundleStream(path), {
      label,
      maxEntries: Number.MAX_SAFE_INTEGER,
      maxUnpackedBytes: Number.MAX_SAFE_INTEGER,
      maxReadBytes: MAX_MANIFEST_BYTES,
      read: (entry) => [MANIFEST_FILE, SBOM_FILE, CHECKSUMS_FILE].includes(entry.path),
      stream: (entry) => {
        if (!entry.path.startsWith(BLOB_DIR)) return undefined
        const name = entry.path.slice(BLOB_DIR.length)
        if (!SHA256_HEX_PATTERN.test(name)) throw refused(label, `${entry.path} is not named by a sha256`)
        const target = `${spoolNames}-${name}`
        return async (body) => {
          const hash = createHash('sha256')
          let size = 0
          const tap = new Transform({
            transform(chunk: Buffer, _encoding, done) {
              hash.update(chunk)
              size += chunk.length
              onBytes(chunk.length)
              done(null, chunk)
            },
          })
          spooled.set(name, { path: target, sha256: name, size: -1 })
          await pipeline(body, tap, createWriteStream(target))
          const got = hash.digest('hex')
          if (got !== name) throw refused(label, `${entry.path} hashes to ${got}`)
          spooled.set(name, { path: target, sha256: name, size })
        }
      },
    })
    const manifest = checkedManifest(label, files, spooled)
    const manifestSha256 = createHash('sha256').update(files.get(MANIFEST_FILE)!).digest('hex')
    const result = await commit(store, manifest, manifestSha256, spooled)
    return result
  } finally {
    // Whatever the store did not take: a refused bundle leaves nothing behind.
    await Promise.all([...spooled.values()].map((blob) => rm(blob.path, { force: true })))
  }
}

/** The tar as a stream, decompressed when it is zstd (told by its first bytes, not its name). */
async function bundleStream(path: string): Promise<AsyncIterable<Buffer>> {
  const handle = await open(path, 'r').catch((cause) => {
    throw new LarderError('E_NOT_FOUND', `cannot open the bundle ${path}`, { cause })
  })
  const head = Buffer.alloc(4)
  await handle.read(head, 0, 4, 0)
  await handle.close()
  const file = createReadStream(path)
  if (!head.equals(ZSTD_MAGIC)) return file
  const zstd = createZstdDecompress()
  // A read error reaches the tar reader through the decompressor, which pipeline destroys with it.
  pipeline(file, zstd).catch(() => {})
  return zstd
}

function checkedManifest(label: string, files: Map<string, Buffer>, spooled: Map<string, SpooledBlob>): BundleManifest {
  const manifestBody = files.get(MANIFEST_FILE)
  const sums = files.get(CHECKSUMS_FILE)?.toString('utf8')
  if (!manifestBody || !sums) throw refused(label, `it lacks ${manifestBody ? CHECKSUMS_FILE : MANIFEST_FILE}`)
  const listed = new Map(
    sums
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(66), line.slice(0, 64)]),
  )
  for (const [name, body] of [
    [MANIFEST_FILE, manifestBody],
    [SBOM_FILE, files.get(SBOM_FILE)],
  ] as const) {
    const got = body ? createHash('sha256').update(body).digest('hex') : undefined
    if (got !== listed.get(name)) throw refused(label, `${name} ${got ? `hashes to ${got}, not the ${listed.get(name)} of ${CHECKSUMS_FILE}` : 'is missing'}`)
  }
  let manifest: BundleManifest
  try {
    manifest = JSON.parse(manifestBody.toString('utf8')) as BundleManifest
  } catch (cause) {
    throw new LarderError('E_BAD_REQUEST', `${label} is refused: ${MANIFEST_FILE} is not JSON`, { cause })
  }
  const problems = manifestProblems(manifest)
  if (problems.length > 0) throw refused(label, `${MANIFEST_FILE}: ${problems.slice(0, 5).join('; ')}`)
  for (const blob of manifest.blobs) {
    const held = spooled.get(blob.sha256)
    if (!held) throw refused(label, `blob ${blob.sha256} is listed but not in the bundle`)
    if (held.size !== blob.size) throw refused(label, `blob ${blob.sha256} is ${held.size} bytes, the manifest says ${blob.size}`)
  }
  const extra = [...spooled.keys()].find((sha256) => !manifest.blobs.some((blob) => blob.sha256 === sha256))
  if (extra) throw refused(label, `it holds blob ${extra}, which the manifest does not list`)
  return manifest
}

async function commit(store: CacheStore, manifest: BundleManifest, manifestSha256: string, spooled: Map<string, SpooledBlob>): Promise<ImportResult> {
  const result: ImportResult = { entries: 0, kept: 0, blobs: 0, present: 0, bytes: 0, manifestSha256, keys: manifest.entries.map((e) => e.key) }
  for (const blob of manifest.blobs) {
    const held = spooled.get(blob.sha256)!
    spooled.delete(blob.sha256)
    if (await store.statBlob(blob.sha256)) {
      await rm(held.path, { force: true })
      result.present++
      continue
    }
    await store.ingestBlob(held.path, { sha256: blob.sha256, size: blob.size })
    result.blobs++
    result.bytes += blob.size
  }
  for (const entry of manifest.entries) {
    const existing = await store.getEntry(entry.key)
    if (existing && existing.fetchedAt >= entry.fetchedAt) {
      result.kept++
      continue
    }
    await store.putEntry(entry)
    result.entries++
  }
  return result
}

function refused(label: string, why: string): LarderError {
  return new LarderError('E_INTEGRITY', `${label} is refused: ${why}; nothing was imported`, {
    hint: 'make the bundle again with larder export, or copy it again if it was damaged on the way',
  })
}
