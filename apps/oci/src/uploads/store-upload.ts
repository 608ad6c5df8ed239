/**
 * One blob upload kept in the store, so any replica can take its next request: each chunk is spooled and
 * hashed locally, then stored as a blob of its own and added to the session's entry. Finishing streams the
 * chunks into one spool file (hashing it), except for the usual one-chunk upload, whose chunk is the blob.
 */
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { discardSpooledFile, spoolStream, type BlobInfo, type CacheEntry, type CacheStore, type SpooledFile } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import { hostedUploadKey } from '../keys/hosted-keys.js'
import { checkEmptyChunk, chunkCounter, chunkReadError, type ChunkLimits } from './chunk-limits.js'
import type { CompletedUpload, OpenUpload } from './upload-types.js'

export class StoreUpload implements OpenUpload {
  /** The file `complete` assembled, until the store takes it or the session is closed. */
  assembled: string | undefined
  closed = false

  constructor(
    private readonly store: CacheStore,
    readonly id: string,
    readonly repo: string,
    private chunks: BlobInfo[],
    public lastActive: number,
  ) {}

  static create(store: CacheStore, repo: string, now: number): StoreUpload {
    return new StoreUpload(store, randomUUID(), repo, [], now)
  }

  /** The session of an entry; undefined when the entry is not one. */
  static fromEntry(store: CacheStore, id: string, entry: CacheEntry): StoreUpload | undefined {
    const repo = entry.meta?.repo
    if (typeof repo !== 'string') return undefined
    const chunks = Object.entries(entry.parts ?? {})
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, chunk]) => chunk)
    return new StoreUpload(store, id, repo, chunks, entry.fetchedAt)
  }

  get size(): number {
    return this.chunks.reduce((sum, chunk) => sum + chunk.size, 0)
  }

  toEntry(): CacheEntry {
    return {
      key: hostedUploadKey(this.id),
      status: 'ok',
      fetchedAt: this.lastActive,
      // As parts, gc sees the chunks as held and spares them however long the upload takes.
      parts: Object.fromEntries(this.chunks.map((chunk, i) => [String(i), chunk])),
      meta: { repo: this.repo },
    }
  }

  async append(body: ReadableStream<Uint8Array> | null, limits: ChunkLimits, label: string): Promise<void> {
    if (!body) return checkEmptyChunk(limits, label)
    const counter = chunkCounter(limits, this.size, label)
    let file: SpooledFile | undefined
    try {
      file = await spoolStream(Readable.fromWeb(body as import('node:stream/web').ReadableStream), { spoolDir: this.store.spoolDir }, [counter.transform])
      counter.check()
    } catch (error) {
      if (file) await discardSpooledFile(file)
      throw chunkReadError(error, label)
    }
    if (file.size === 0) return discardSpooledFile(file)
    await this.store.ingestBlob(file.path, { sha256: file.sha256, size: file.size })
    this.chunks.push({ sha256: file.sha256, size: file.size })
    try {
      await this.store.putEntry(this.toEntry())
    } catch (error) {
      this.chunks.pop()
      throw error
    }
  }

  async complete(): Promise<CompletedUpload> {
    const [only, ...more] = this.chunks
    if (only && more.length === 0) return { path: '', size: only.size, digest: `sha256:${only.sha256}`, stored: true }
    const file = await spoolStream(Readable.from(this.bytes()), { spoolDir: this.store.spoolDir })
    this.assembled = file.path
    return { path: file.path, size: file.size, digest: `sha256:${file.sha256}` }
  }

  private async *bytes(): AsyncGenerator<Buffer> {
    for (const chunk of this.chunks) {
      const stream = await this.store.openBlob(chunk.sha256)
      if (!stream) {
        throw new OciError('BLOB_UPLOAD_INVALID', 'E_STORE', `a chunk of upload ${this.id} (${chunk.sha256}) is gone from the store`, {
          hint: 'start the upload again',
        })
      }
      for await (const bytes of stream) yield bytes as Buffer
    }
  }
}
