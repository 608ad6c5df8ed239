/** A Readable that can also read straight into a buffer its consumer owns, so a sender reuses a few buffers. */
import { Readable } from 'node:stream'

export const READ_CHUNK_BYTES = 64 * 1024

/**
 * Streaming a large body the Readable way allocates a new chunk per read; at disk speed to ten clients that is
 * ~90 MB of buffers waiting for the garbage collector. `readInto` lets the sender fill its own few buffers
 * instead. The Readable interface still works for every other consumer, but one body is read one way only.
 */
export abstract class ReadsIntoReadable extends Readable {
  #pumping = false

  constructor() {
    super({ highWaterMark: READ_CHUNK_BYTES })
  }

  /** Fills the start of `buffer` with the next bytes and resolves how many; 0 at the end. Rejects when the body fails. */
  abstract readInto(buffer: Buffer): Promise<number>

  /** True while nothing has read this body the Readable way, so `readInto` may be used instead. */
  get untouched(): boolean {
    return !this.destroyed && !this.readableDidRead && this.readableLength === 0 && this.readableFlowing === null
  }

  override _read(): void {
    void this.#pump()
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return
    this.#pumping = true
    try {
      for (;;) {
        const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES)
        const length = await this.readInto(buffer)
        if (this.destroyed) return
        if (length === 0) {
          this.push(null)
          return
        }
        // A short read (a spool growing in small steps) gets a buffer of its own size: a 64 kB one would stay
        // alive behind every small chunk a slow consumer holds.
        const chunk = length < READ_CHUNK_BYTES / 2 ? Buffer.from(buffer.subarray(0, length)) : buffer.subarray(0, length)
        if (!this.push(chunk)) return
      }
    } catch (err) {
      this.destroy(err as Error)
    } finally {
      this.#pumping = false
    }
  }
}

export function readsInto(body: Readable): body is ReadsIntoReadable {
  return body instanceof ReadsIntoReadable
}
