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

/** Rendered copies of packuments held in memory, per base URL: a held blob is rendered once, not per request. */
const rendered = new WeakMap<Buffer, Map<string, Buffer>>()
/** Bases are few (one per way clients reach Larder); a bound keeps forged Host headers from growing it. */
const MAX_BASES_PER_DOCUMENT = 3

/** The whole body with the base URL inserted, for a stored packument held in memory. */
export function insertBaseUrlInto(stored: Buffer, offsets: readonly number[], baseUrl: string): Buffer {
  let byBase = rendered.get(stored)
  const hit = byBase?.get(baseUrl)
  if (hit) return hit
  const base = Buffer.from(baseUrl, 'utf8')
  const pieces: Buffer[] = []
  let start = 0
  for (const offset of offsets) {
    pieces.push(stored.subarray(start, offset), base)
    start = offset
  }
  pieces.push(stored.subarray(start))
  const body = Buffer.concat(pieces)
  if (!byBase) rendered.set(stored, (byBase = new Map()))
  if (byBase.size >= MAX_BASES_PER_DOCUMENT) byBase.clear()
  byBase.set(baseUrl, body)
  return body
}
