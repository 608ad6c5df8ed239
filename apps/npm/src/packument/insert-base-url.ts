/** Streams a stored packument, inserting the mirror's base URL at each recorded byte offset. */
import { Transform, type TransformCallback } from 'node:stream'

export function insertBaseUrl(offsets: readonly number[], baseUrl: string): Transform {
  const base = Buffer.from(baseUrl, 'utf8')
  let position = 0
  let next = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let start = 0
      const end = position + chunk.length
      while (next < offsets.length && offsets[next]! <= end) {
        const cut = offsets[next]! - position
        if (cut > start) this.push(chunk.subarray(start, cut))
        this.push(base)
        start = cut
        next++
      }
      if (start < chunk.length) this.push(chunk.subarray(start))
      position = end
      callback()
    },
  })
}

/** The length of the body after insertion. */
export function insertedLength(storedSize: number, offsets: readonly number[], baseUrl: string): number {
  return storedSize + offsets.length * Buffer.byteLength(baseUrl, 'utf8')
}
