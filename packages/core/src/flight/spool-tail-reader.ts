/** Reads a growing spool file from the start, following the writer until it commits or fails. */
import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { SpoolFill } from './spool-fill.js'

const READ_CHUNK_BYTES = 64 * 1024

export class SpoolTailReader extends Readable {
  private position = 0
  private reading = false
  private released = false

  constructor(
    private readonly fill: SpoolFill,
    private readonly handle: FileHandle,
    private readonly onRelease: () => void,
  ) {
    super({ highWaterMark: READ_CHUNK_BYTES })
  }

  override _read(): void {
    void this.pump()
  }

  /**
   * Bytes a client may have: all of them once committed, else all but the last one, so that a
   * body failing its digest never reaches a client as a complete response.
   */
  private readableLimit(): number {
    return this.fill.state === 'committed' ? this.fill.written : Math.max(0, this.fill.written - 1)
  }

  private async pump(): Promise<void> {
    if (this.reading || this.destroyed) return
    this.reading = true
    try {
      for (;;) {
        if (this.fill.state === 'failed') {
          this.destroy(this.fill.error)
          return
        }
        const limit = this.readableLimit()
        if (this.position < limit) {
          const length = Math.min(READ_CHUNK_BYTES, limit - this.position)
          const buffer = Buffer.allocUnsafe(length)
          const { bytesRead } = await this.handle.read(buffer, 0, length, this.position)
          this.position += bytesRead
          if (this.destroyed) return
          if (!this.push(buffer.subarray(0, bytesRead))) return
          continue
        }
        if (this.fill.state === 'committed') {
          this.push(null)
          return
        }
        await new Promise<void>((resolve) => this.fill.once('progress', resolve))
        if (this.destroyed) return
      }
    } catch (err) {
      this.destroy(err as Error)
    } finally {
      this.reading = false
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.release()
    callback(err)
  }

  private release(): void {
    if (this.released) return
    this.released = true
    this.onRelease()
  }

  override push(chunk: Buffer | null): boolean {
    if (chunk === null) this.once('end', () => this.release())
    return super.push(chunk)
  }
}
