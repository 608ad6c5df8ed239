/** Reads a growing spool file from the start, following the writer until it commits or fails. */
import type { FileHandle } from 'node:fs/promises'
import { ReadsIntoReadable } from '../streams/reads-into.js'
import type { SpoolFill } from './spool-fill.js'

export class SpoolTailReader extends ReadsIntoReadable {
  private position = 0
  private released = false

  constructor(
    private readonly fill: SpoolFill,
    private readonly handle: FileHandle,
    private readonly onRelease: () => void,
  ) {
    super()
  }

  /**
   * Bytes a client may have: all of them once committed, else all but the last one, so that a
   * body failing its digest never reaches a client as a complete response.
   */
  private readableLimit(): number {
    return this.fill.state === 'committed' ? this.fill.written : Math.max(0, this.fill.written - 1)
  }

  async readInto(buffer: Buffer): Promise<number> {
    for (;;) {
      if (this.fill.state === 'failed') throw this.fill.error ?? new Error('the fill failed')
      // Destroyed while waiting (the client went away): not an end of body, which a sender would finish as complete.
      if (this.destroyed) throw new Error('the spool reader was closed')
      const limit = this.readableLimit()
      if (this.position < limit) {
        const length = Math.min(buffer.length, limit - this.position)
        const copied = this.fill.copyRecent(buffer, this.position, length)
        if (copied > 0) {
          this.position += copied
          return copied
        }
        const { bytesRead } = await this.handle.read(buffer, 0, length, this.position)
        this.position += bytesRead
        return bytesRead
      }
      if (this.fill.state === 'committed') return 0
      await this.nextProgress()
    }
  }

  /** The writer's next step, or this reader's end: a client that leaves must not wait for a stalled upstream. */
  private nextProgress(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.fill.off('progress', done)
        this.off('close', done)
        resolve()
      }
      this.fill.once('progress', done)
      this.once('close', done)
    })
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
