/** A download being written to a spool file, which any number of clients can read while it grows. */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { open, type FileHandle } from 'node:fs/promises'
import { unlinkIfExists } from '../store/fs-files.js'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { LarderError, toLarderError } from '../errors/index.js'
import { SUPPORTED_ALGORITHMS, StreamingDigest, verifyDigests, type DigestResult, type ExpectedDigests } from '../digest/index.js'
import { SpoolTailReader } from './spool-tail-reader.js'

export interface SpoolFillOptions {
  spoolDir: string
  /** Names the artifact in error messages. */
  label: string
  expected?: ExpectedDigests
  /**
   * Digests not known yet (the index that states them is still being read): every supported algorithm
   * is computed while the bytes stream, and the fill waits for these before it verifies. It must name at least one.
   */
  expectedLater?: Promise<ExpectedDigests>
  /** Size the upstream announced (Content-Length) or the index promised; checked at the end. */
  expectedSize?: number
  maxBytes: number
  /** Called with the verified spool file; moves it into the store. Readers keep their open handle. */
  commit: (path: string, result: DigestResult) => Promise<void>
}

type FillState = 'filling' | 'committed' | 'failed'

/**
 * The newest bytes written are also kept in memory, up to this many: a reader close behind the writer (the
 * usual case: every client of a miss) copies them instead of reading back from the file what was just
 * written, and a tarball of a typical size is sent without one read of its spool file.
 */
export const RECENT_BYTES = 256 * 1024

/** What is hashed when the digests to check are not known yet. */
const ALL_DIGESTS: ExpectedDigests = Object.fromEntries(SUPPORTED_ALGORITHMS.map((algorithm) => [algorithm, '']))

export class SpoolFill extends EventEmitter {
  readonly path: string
  written = 0
  state: FillState = 'filling'
  error: LarderError | undefined
  result: DigestResult | undefined
  /** Settles when the fill is committed (resolves) or failed (rejects). Never left unhandled. */
  readonly done: Promise<DigestResult>
  private handle: FileHandle | undefined
  private refs = 1
  /** The last bytes written, in order: `recent[0]` starts at file offset `recentStart`. */
  private recent: Buffer[] = []
  private recentStart = 0
  private recentBytes = 0

  private constructor(
    private readonly options: SpoolFillOptions,
    handle: FileHandle,
    path: string,
  ) {
    super()
    this.setMaxListeners(0)
    this.handle = handle
    this.path = path
    let resolve!: (r: DigestResult) => void
    let reject!: (e: unknown) => void
    this.done = new Promise<DigestResult>((res, rej) => {
      resolve = res
      reject = rej
    })
    this.done.catch(() => {})
    options.expectedLater?.catch(() => {})
    this.once('settled', () => (this.error ? reject(this.error) : resolve(this.result!)))
  }

  static async create(options: SpoolFillOptions): Promise<SpoolFill> {
    const path = join(options.spoolDir, `fill-${randomUUID()}`)
    const handle = await open(path, 'w+')
    return new SpoolFill(options, handle, path)
  }

  /** Copies `body` into the spool, then verifies and commits it. Never throws: see `done`. */
  async consume(body: Readable): Promise<void> {
    const digest = new StreamingDigest(this.options.expectedLater ? ALL_DIGESTS : this.options.expected)
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (this.written + chunk.byteLength > this.options.maxBytes) {
          throw new LarderError('E_TOO_LARGE', `${this.options.label} is larger than ${this.options.maxBytes} bytes`)
        }
        digest.update(chunk)
        await this.handle!.write(chunk, 0, chunk.byteLength, this.written)
        this.written += chunk.byteLength
        this.remember(chunk)
        this.emit('progress')
      }
      const result = digest.digest()
      if (this.options.expectedSize !== undefined && result.size !== this.options.expectedSize) {
        throw new LarderError('E_INTEGRITY', `${this.options.label}: got ${result.size} bytes, expected ${this.options.expectedSize}`)
      }
      verifyDigests(this.options.label, await this.expectedDigests(), result)
      await this.options.commit(this.path, result)
      this.result = result
      this.state = 'committed'
    } catch (err) {
      body.destroy()
      this.error = toLarderError(err)
      await unlinkIfExists(this.path)
      // Only now: a reader that sees the failure may rely on the spool file being gone.
      this.state = 'failed'
    }
    this.emit('settled')
    this.emit('progress')
    await this.release()
  }

  private async expectedDigests(): Promise<ExpectedDigests> {
    if (!this.options.expectedLater) return this.options.expected ?? {}
    const later = await this.options.expectedLater
    if (Object.keys(later).length === 0) {
      throw new LarderError('E_INTEGRITY', `${this.options.label}: its index states no digest, so the bytes cannot be verified`)
    }
    return { ...this.options.expected, ...later }
  }

  private remember(chunk: Buffer): void {
    this.recent.push(chunk)
    this.recentBytes += chunk.byteLength
    while (this.recentBytes > RECENT_BYTES && this.recent.length > 1) {
      const oldest = this.recent.shift()!
      this.recentStart += oldest.byteLength
      this.recentBytes -= oldest.byteLength
    }
  }

  /**
   * Copies up to `length` bytes at file offset `position` into `target` from the recent bytes held in
   * memory; 0 when that offset is no longer (or not yet) held, and the file must be read instead.
   */
  copyRecent(target: Buffer, position: number, length: number): number {
    if (position < this.recentStart || position >= this.recentStart + this.recentBytes) return 0
    let copied = 0
    let chunkStart = this.recentStart
    for (const chunk of this.recent) {
      const chunkEnd = chunkStart + chunk.byteLength
      const at = position + copied
      if (at < chunkEnd) {
        const take = Math.min(chunkEnd - at, length - copied)
        chunk.copy(target, copied, at - chunkStart, at - chunkStart + take)
        copied += take
        if (copied === length) break
      }
      chunkStart = chunkEnd
    }
    return copied
  }

  /** A stream of the fill's bytes for one client; the last byte is held back until the digests check. */
  reader(): SpoolTailReader {
    this.refs++
    return new SpoolTailReader(this, this.handle!, () => void this.release())
  }

  private async release(): Promise<void> {
    if (--this.refs > 0 || !this.handle) return
    const handle = this.handle
    this.handle = undefined
    this.recent = []
    this.recentBytes = 0
    await handle.close().catch(() => {})
  }
}
