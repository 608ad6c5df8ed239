/** A file's bytes, whole or one range, from an open handle that the reader closes when it is done. */
import type { FileHandle } from 'node:fs/promises'
import { ReadsIntoReadable } from './reads-into.js'

export class FileRangeReader extends ReadsIntoReadable {
  #position: number
  readonly #end: number

  /** Reads from `start` up to and including `end`, or to the end of the file when `end` is absent. */
  constructor(
    private readonly handle: FileHandle,
    range: { start?: number; end?: number } = {},
  ) {
    super()
    this.#position = range.start ?? 0
    this.#end = range.end === undefined ? Number.POSITIVE_INFINITY : range.end + 1
  }

  async readInto(buffer: Buffer): Promise<number> {
    const length = Math.min(buffer.length, this.#end - this.#position)
    if (length <= 0) return 0
    const { bytesRead } = await this.handle.read(buffer, 0, length, this.#position)
    this.#position += bytesRead
    return bytesRead
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.handle.close().then(
      () => callback(err),
      (closeError: Error) => callback(err ?? closeError),
    )
  }
}
