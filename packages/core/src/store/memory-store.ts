/** A backend that keeps everything in Maps: for ephemeral uses, and to prove the compliance suite backend-agnostic. */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { LarderError } from '../errors/larder-error.js'
import type { BlobInfo, ByteRange, CacheEntry, CacheStore } from './types.js'
import { assertBlobInfo, assertRange, assertSha256, namespaceOf, namespaceOfPrefix } from './validate.js'

export interface MemoryStoreOptions {
  /** Where callers write temp files; defaults to a fresh folder under the OS temp dir, removed on close. */
  spoolDir?: string
  /** The clock of each blob's storedAt (Date.now), for tests of gc's and eviction's grace periods. */
  now?: () => number
}

export function createMemoryStore(options: MemoryStoreOptions = {}): CacheStore {
  if (options.spoolDir !== undefined && (typeof options.spoolDir !== 'string' || options.spoolDir === '')) {
    throw new LarderError('E_INVALID_OPTION', 'spoolDir must be a non-empty path')
  }
  const ownsSpoolDir = options.spoolDir === undefined
  const spoolDir = ownsSpoolDir ? mkdtempSync(join(tmpdir(), 'larder-spool-')) : resolve(options.spoolDir as string)
  if (!ownsSpoolDir) mkdirSync(spoolDir, { recursive: true })

  // Entries are kept as JSON text, as a disk backend would: callers never share an object
  // with the store, and whatever JSON drops (undefined fields...) is dropped here too.
  const entries = new Map<string, string>()
  const blobs = new Map<string, Buffer>()
  const storedAt = new Map<string, number>()
  const now = options.now ?? Date.now

  return {
    spoolDir,

    async probe() {},

    async getEntry(key) {
      namespaceOf(key)
      const text = entries.get(key)
      return text === undefined ? undefined : (JSON.parse(text) as CacheEntry)
    },

    async putEntry(entry) {
      namespaceOf(entry.key)
      entries.set(entry.key, JSON.stringify(entry))
    },

    async deleteEntry(key) {
      namespaceOf(key)
      entries.delete(key)
    },

    async *listEntries(prefix) {
      namespaceOfPrefix(prefix)
      for (const key of [...entries.keys()]) {
        if (key.startsWith(prefix) && entries.has(key)) yield key
      }
    },

    async statBlob(sha256) {
      assertSha256(sha256)
      const blob = blobs.get(sha256)
      return blob === undefined ? undefined : { sha256, size: blob.byteLength }
    },

    async openBlob(sha256: string, range?: ByteRange) {
      assertSha256(sha256)
      if (range) assertRange(range)
      const blob = blobs.get(sha256)
      if (blob === undefined) return undefined
      return Readable.from([range ? blob.subarray(range.start, range.end + 1) : blob])
    },

    async ingestBlob(localPath: string, expected: BlobInfo) {
      try {
        assertBlobInfo(expected)
        const { size } = await stat(localPath)
        if (size !== expected.size) {
          throw new LarderError('E_STORE', `refusing blob ${expected.sha256}: file has ${size} bytes, expected ${expected.size}`)
        }
        if (!blobs.has(expected.sha256)) blobs.set(expected.sha256, await readFile(localPath))
        storedAt.set(expected.sha256, now())
      } catch (err) {
        if (err instanceof LarderError) throw err
        throw new LarderError('E_STORE', `memory store ingestBlob failed: ${(err as Error).message}`, { cause: err })
      } finally {
        // The store owns the file from here on, accepted or not.
        await rm(localPath, { force: true })
      }
    },

    async putBlob(data: Uint8Array) {
      const sha256 = createHash('sha256').update(data).digest('hex')
      if (!blobs.has(sha256)) blobs.set(sha256, Buffer.from(data))
      storedAt.set(sha256, now())
      return { sha256, size: data.byteLength }
    },

    async deleteBlob(sha256) {
      assertSha256(sha256)
      blobs.delete(sha256)
      storedAt.delete(sha256)
    },

    async *listBlobs() {
      for (const [sha256, blob] of [...blobs]) if (blobs.has(sha256)) yield { sha256, size: blob.byteLength, storedAt: storedAt.get(sha256) ?? 0 }
    },

    async close() {
      entries.clear()
      blobs.clear()
      if (ownsSpoolDir) await rm(spoolDir, { recursive: true, force: true })
    },
  }
}
