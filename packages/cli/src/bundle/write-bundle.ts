/**
 * Writes a bundle as a stream (blobs are never held in memory), to a temp file renamed into place only when whole.
 * Each blob is hashed as it is written (blob-checks.ts): one that fails its address or a lockfile's digests fails
 * the whole bundle.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createZstdCompress } from 'node:zlib'
import { Header, Pack, ReadEntry } from 'tar'
import { LarderError, type CacheStore, type StreamingDigest } from '@larder/core'
import { assertBlobMatches, blobDigest, type LockfileCheck } from './blob-checks.js'
import { CHECKSUMS_FILE, MANIFEST_FILE, SBOM_FILE, blobFile, type BundleManifest } from './bundle-manifest.js'

export interface WriteBundleOptions {
  zstd: boolean
  /** Hears the size of each blob written, for progress. */
  onBlob?: (bytes: number) => void
  /** By blob sha256: the lockfile digests its bytes must match besides its address (see lockfileChecksOf). */
  lockfileChecks?: ReadonlyMap<string, readonly LockfileCheck[]>
}

export async function writeBundle(out: string, manifest: BundleManifest, sbom: string, store: CacheStore, options: WriteBundleOptions): Promise<number> {
  const lockfileChecks = options.lockfileChecks ?? new Map<string, readonly LockfileCheck[]>()
  // A check on a blob the bundle does not carry would never run: refused rather than skipped.
  const listed = new Set(manifest.blobs.map((blob) => blob.sha256))
  for (const [sha256, checks] of lockfileChecks) {
    if (!listed.has(sha256)) throw new LarderError('E_INTEGRITY', `${checks[0]?.path} is answered from blob ${sha256}, which the bundle does not list`)
  }
  const partial = join(dirname(out), `.${basename(out)}.${process.pid}.partial`)
  const pack = new Pack({ portable: true })
  const file = createWriteStream(partial)
  const written = options.zstd ? pipeline(pack, createZstdCompress(), file) : pipeline(pack, file)
  written.catch(() => {})
  try {
    const manifestBody = Buffer.from(`${JSON.stringify(manifest)}\n`)
    const sbomBody = Buffer.from(sbom)
    await addFile(pack, MANIFEST_FILE, manifestBody.length, Readable.from([manifestBody]))
    for (const blob of manifest.blobs) {
      const body = await store.openBlob(blob.sha256)
      if (!body)
        throw new LarderError('E_STORE', `blob ${blob.sha256} went missing from the store while the bundle was written`, { hint: 'run the export again' })
      const checks = lockfileChecks.get(blob.sha256) ?? []
      const digest = blobDigest(checks)
      await addFile(pack, blobFile(blob.sha256), blob.size, hashing(body, digest))
      assertBlobMatches(blob.sha256, digest, checks)
      options.onBlob?.(blob.size)
    }
    await addFile(pack, SBOM_FILE, sbomBody.length, Readable.from([sbomBody]))
    const sums = `${sha256(manifestBody)}  ${MANIFEST_FILE}\n${sha256(sbomBody)}  ${SBOM_FILE}\n`
    await addFile(pack, CHECKSUMS_FILE, Buffer.byteLength(sums), Readable.from([Buffer.from(sums)]))
    pack.end()
    await written
    await rename(partial, out)
    return (await stat(out)).size
  } catch (error) {
    // With its error: a tar Pack destroyed without one never settles the pipeline, and the export would hang.
    pack.destroy(error as Error)
    await written.catch(() => {})
    await rm(partial, { force: true })
    throw error
  }
}

/** One tar entry of `size` bytes from `body`, with the pack's backpressure; a body of another size is an error. */
async function addFile(pack: Pack, path: string, size: number, body: AsyncIterable<Buffer>): Promise<void> {
  const entry = new ReadEntry(new Header({ path, size, type: 'File', mode: 0o644, mtime: new Date(0) }))
  pack.add(entry)
  let sent = 0
  for await (const chunk of body) {
    sent += chunk.length
    if (sent > size) throw new LarderError('E_STORE', `${path} holds more than the ${size} bytes the store says`)
    if (!entry.write(chunk)) await new Promise((resolve) => entry.once('drain', resolve))
  }
  if (sent !== size) throw new LarderError('E_STORE', `${path} holds ${sent} bytes, not the ${size} the store says`)
  entry.end()
}

/** The body as it is, each chunk hashed on its way through. */
async function* hashing(body: AsyncIterable<Buffer>, digest: StreamingDigest): AsyncIterable<Buffer> {
  for await (const chunk of body) {
    digest.update(chunk)
    yield chunk
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
