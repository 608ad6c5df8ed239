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
      // One buffer out per chunk in: thousands of tiny pushes would each become a writev entry.
      const pieces: Buffer[] = []
      while (next < offsets.length && offsets[next]! <= end) {
        const cut = offsets[next]! - position
        if (cut > start) pieces.push(chunk.subarray(start, cut))
        pieces.push(base)
        start = cut
        next++
      }
      position = end
      if (pieces.length === 0) return callback(null, chunk)
      if (start < chunk.length) pieces.push(chunk.subarray(start))
      callback(null, Buffer.concat(pieces))
    },
  })
}

/** The length of the body after insertion. */
export function insertedLength(storedSize: number, offsets: readonly number[], baseUrl: string): number {
  return storedSize + offsets.length * Buffer.byteLength(baseUrl, 'utf8')
}
