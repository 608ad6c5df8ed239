/**
 * One blob upload in progress: a spool file the chunks are appended to and the sha256 of what it holds so far, so the
 * bytes are never held in memory and never read twice. A chunk that fails (cut short, over the limit, not the length
 * its range said) is taken back whole: the file is cut to where it was and the hash restored, so the client can resume.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { open, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { checkEmptyChunk, chunkCounter, chunkReadError, type ChunkLimits } from './chunk-limits.js'
import type { CompletedUpload, OpenUpload } from './upload-types.js'

export class UploadSession implements OpenUpload {
  size = 0
  private hash: Hash = createHash('sha256')

  private constructor(
    readonly id: string,
    /** The hosted repository it uploads to; the session answers under that name only. */
    readonly repo: string,
    readonly path: string,
    public lastActive: number,
  ) {}

  /** Makes the (empty) spool file: from here on the session owns it until it is finished or discarded. */
  static async create(dir: string, repo: string, now: number): Promise<UploadSession> {
    const id = randomUUID()
    const path = uploadPath(dir, id)
    await (await open(path, 'wx')).close()
    return new UploadSession(id, repo, path, now)
  }

  /**
   * Takes up a session another worker of the host worked on last (its file is all there is to go by):
   * the bytes so far are hashed once, and the session goes on from there.
   */
  static async adopt(dir: string, id: string, repo: string, lastActive: number): Promise<UploadSession> {
    const session = new UploadSession(id, repo, uploadPath(dir, id), lastActive)
    for await (const chunk of createReadStream(session.path)) {
      session.hash.update(chunk as Buffer)
      session.size += (chunk as Buffer).length
    }
    return session
  }

  /** Appends a request body; on any failure the session is as it was before and the error says why. */
  async append(body: ReadableStream<Uint8Array> | null, limits: ChunkLimits, label: string): Promise<void> {
    if (!body) return checkEmptyChunk(limits, label)
    const start = this.size
    const before = this.hash.copy()
    const hash = this.hash
    const counter = chunkCounter(limits, start, label, (chunk) => hash.update(chunk))
    try {
      await pipeline(
        Readable.fromWeb(body as import('node:stream/web').ReadableStream),
        counter.transform,
        createWriteStream(this.path, { flags: 'r+', start }),
      )
      counter.check()
    } catch (error) {
      await truncate(this.path, start)
      this.hash = before
      throw chunkReadError(error, label)
    }
    this.size = start + counter.received
  }

  /** The session's own file: the bytes were hashed as they came, so nothing is read again. */
  async complete(): Promise<CompletedUpload> {
    return { path: this.path, size: this.size, digest: `sha256:${this.hash.copy().digest('hex')}` }
  }
}

/** Where a session's bytes are, in the uploads folder the host's workers share. */
export function uploadPath(dir: string, id: string): string {
  return join(dir, `oci-upload-${id}`)
}
