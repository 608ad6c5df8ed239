/** Tars that arrive as streams (a spooled upload, a member of another archive), gzip or not as their first bytes tell: never held in memory. */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { readSafeTar, type SafeTarOptions } from './tar-entries.js'

/** readSafeTar for a file on disk: the same checks, the same files returned. */
export function readSafeTarFile(path: string, options: SafeTarOptions): Promise<Map<string, Buffer>> {
  return readSafeTar(plainTarStream(createReadStream(path)), options)
}

/** The bytes of a plain tar: `source` gunzipped when it starts with the gzip magic, as a Buffer given to readSafeTar is. */
export async function* plainTarStream(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const iterator = source[Symbol.asyncIterator]()
  const head: Buffer[] = []
  let headLength = 0
  while (headLength < 2) {
    const next = await iterator.next()
    if (next.done) break
    head.push(next.value)
    headLength += next.value.length
  }
  const start = Buffer.concat(head)
  async function* whole(): AsyncIterable<Buffer> {
    try {
      if (start.length > 0) yield start
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value
    } finally {
      // A reader that stops early (a refused archive) must not leave the source open.
      await iterator.return?.()
    }
  }
  if (start[0] !== 0x1f || start[1] !== 0x8b) return yield* whole()
  const gunzip = createGunzip()
  // An error of the source reaches the loop through gunzip, which pipeline destroys with it.
  pipeline(Readable.from(whole()), gunzip).catch(() => {})
  yield* gunzip
}
