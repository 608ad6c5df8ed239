/** A store decorator keeping small, hot blobs in memory: a cached tarball or packument is then sent with no file I/O. */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { LRUCache } from 'lru-cache'
import { LarderError } from '../errors/larder-error.js'
import type { CacheEntry, CacheStore, PutEntriesOptions } from './types.js'

export const DEFAULT_BLOB_MEMORY_MAX_BYTES = 64 * 1024 * 1024
export const DEFAULT_BLOB_MEMORY_MAX_BLOB_BYTES = 1024 * 1024
/** How many blobs too large to hold are remembered as such, so they cost no stat on every open. */
const LARGE_BLOBS_REMEMBERED = 10_000

export interface BlobMemoryOptions {
  /** The bytes held in total; 0 holds nothing and returns the store as it is. */
  maxBytes?: number
  /** A blob larger than this is always streamed from the store. */
  maxBlobBytes?: number
}

/**
 * A blob body whose bytes are all in memory: a Readable like any other body, so every consumer
 * works unchanged, while the HTTP edge sends `bytes` in one write instead of piping.
 */
export class HeldBlob extends Readable {
  constructor(readonly bytes: Buffer) {
    super()
  }

  override _read(): void {
    this.push(this.bytes)
    this.push(null)
  }
}

/**
 * Fronts `store` with an LRU of whole blobs up to `maxBlobBytes`, bounded to `maxBytes` in total.
 * Blobs are content-addressed, so a held copy can never be stale; it is checked against its
 * sha256 when loaded, so memory only ever holds bytes that match their address, and dropped when
 * the blob is deleted. Ranged opens and large blobs go straight to the store.
 */
export function withBlobMemory(store: CacheStore, options: BlobMemoryOptions = {}): CacheStore {
  const maxBytes = options.maxBytes ?? DEFAULT_BLOB_MEMORY_MAX_BYTES
  const maxBlobBytes = options.maxBlobBytes ?? DEFAULT_BLOB_MEMORY_MAX_BLOB_BYTES
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new LarderError('E_INVALID_OPTION', 'maxBytes must be a byte count (0 holds nothing)')
  if (!Number.isSafeInteger(maxBlobBytes) || maxBlobBytes < 1) throw new LarderError('E_INVALID_OPTION', 'maxBlobBytes must be a positive byte count')
  if (maxBytes === 0) return store
  const held = new LRUCache<string, Buffer>({ maxSize: maxBytes, sizeCalculation: (bytes) => Math.max(1, bytes.length) })
  const large = new LRUCache<string, true>({ max: LARGE_BLOBS_REMEMBERED })
  const loading = new Map<string, Promise<Buffer | undefined>>()

  const load = async (sha256: string): Promise<Buffer | undefined> => {
    const info = await store.statBlob(sha256)
    if (!info) return undefined
    if (info.size > maxBlobBytes || info.size > maxBytes) {
      large.set(sha256, true)
      return undefined
    }
    const body = await store.openBlob(sha256)
    if (!body) return undefined
    const chunks: Buffer[] = []
    for await (const chunk of body) chunks.push(chunk as Buffer)
    const bytes = Buffer.concat(chunks)
    if (createHash('sha256').update(bytes).digest('hex') !== sha256) {
      // Damaged on disk: not held, and served as the store has it, for check-store to find and quarantine.
      large.set(sha256, true)
      return undefined
    }
    held.set(sha256, bytes)
    return bytes
  }

  const loadOnce = (sha256: string): Promise<Buffer | undefined> => {
    let pending = loading.get(sha256)
    if (!pending) {
      pending = load(sha256).finally(() => loading.delete(sha256))
      loading.set(sha256, pending)
    }
    return pending
  }

  return {
    get spoolDir() {
      return store.spoolDir
    },
    getEntry: (key) => store.getEntry(key),
    putEntry: (entry) => store.putEntry(entry),
    ...(store.putEntries ? { putEntries: (entries: readonly CacheEntry[], options?: PutEntriesOptions) => store.putEntries!(entries, options) } : {}),
    deleteEntry: (key) => store.deleteEntry(key),
    listEntries: (prefix) => store.listEntries(prefix),
    statBlob: (sha256) => store.statBlob(sha256),
    listBlobs: () => store.listBlobs(),
    ingestBlob: (localPath, expected) => store.ingestBlob(localPath, expected),
    async putBlob(data) {
      const info = await store.putBlob(data)
      // Just written, so likely read next (a packument is served as soon as it is stored): held
      // now, it costs no stat, open and read to serve. A copy: the caller may reuse its buffer.
      if (data.byteLength <= maxBlobBytes && data.byteLength <= maxBytes) held.set(info.sha256, Buffer.from(data))
      return info
    },
    probe: () => store.probe(),
    async openBlob(sha256, range) {
      if (range || large.has(sha256)) return store.openBlob(sha256, range)
      const bytes = held.get(sha256) ?? (await loadOnce(sha256))
      return bytes ? new HeldBlob(bytes) : store.openBlob(sha256)
    },
    async deleteBlob(sha256) {
      held.delete(sha256)
      await store.deleteBlob(sha256)
      // A copy loaded while the delete ran must not outlive it. (One whose load ends later still holds
      // bytes that match their address: harmless, as nothing references a blob gc deleted.)
      held.delete(sha256)
    },
    async close() {
      held.clear()
      await store.close()
    },
  }
}
