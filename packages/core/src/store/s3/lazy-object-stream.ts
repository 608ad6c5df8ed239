/**
 * A stream of an object that asks the service for it only once something reads: a 304, a HEAD or a
 * range answer that drops the whole-object stream unread then costs no request to the bucket at all.
 */
import { Readable } from 'node:stream'

export class LazyObjectStream extends Readable {
  private source: Readable | undefined
  private opening = false

  constructor(private readonly open: () => Promise<Readable>) {
    super()
  }

  override _read(): void {
    if (this.source) {
      this.source.resume()
      return
    }
    if (this.opening) return
    this.opening = true
    this.open().then(
      (source) => {
        if (this.destroyed) {
          source.destroy()
          return
        }
        this.source = source
        source.on('data', (chunk: Buffer) => {
          if (!this.push(chunk)) source.pause()
        })
        source.once('end', () => this.push(null))
        source.once('error', (err) => this.destroy(err))
      },
      (err: Error) => this.destroy(err),
    )
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source?.destroy()
    callback(error)
  }
}
