/** Unpacks gzip, xz and zstd (told by the first bytes) as a stream, so a 50 MB Packages or a .deb's data.tar is never held unpacked. */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { LarderError } from '@larder/core'
import { createDecoder, MAGIC_LENGTH, sniffCompression, type Compression } from './decoders.js'

/** Far above Debian's largest Packages (about 50 MB unpacked); bounds the work a small hostile file can cause. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024

const TRUNCATED = /failed to fill whole buffer|unexpected end of file/i

export interface DecompressOptions {
  /** Unpacked bytes beyond this fail the stream. */
  maxBytes?: number
  /** Whose fault bad data is: an upload's (400, 413) or an upstream's (502: the previous copy is served). */
  faultOf?: 'client' | 'upstream'
}

/**
 * The unpacked bytes of `input` (plain input passes through) as they come. Bad or truncated data
 * fails the stream with a LarderError naming `label`; destroying it (a reader that has seen enough)
 * stops the decoder and the source.
 */
export function decompressStream(input: Buffer | Readable, label: string, options: DecompressOptions = {}): Readable {
  const source = Buffer.isBuffer(input) ? Readable.from([input], { objectMode: false }) : input
  return Readable.from(unpack(source, label, options), { objectMode: false })
}

async function* unpack(source: Readable, label: string, options: DecompressOptions): AsyncGenerator<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES
  const upstream = options.faultOf === 'upstream'
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const head: Buffer[] = []
  let headLength = 0
  while (headLength < MAGIC_LENGTH) {
    const next = await chunks.next()
    if (next.done) break
    head.push(next.value)
    headLength += next.value.length
  }
  const compression = sniffCompression(Buffer.concat(head))
  let sourceError: unknown
  const compressed = (async function* () {
    try {
      yield* head
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value
    } catch (err) {
      throw (sourceError = err)
    } finally {
      await chunks.return?.()
    }
  })()
  let unpacked = 0
  const counted = (chunk: Buffer): Buffer => {
    unpacked += chunk.length
    if (unpacked > maxBytes) throw new LarderError(upstream ? 'E_UPSTREAM_GARBAGE' : 'E_TOO_LARGE', `${label} unpacks to more than ${maxBytes} bytes`)
    return chunk
  }
  if (compression === 'none') {
    for await (const chunk of compressed) yield counted(chunk)
    return
  }
  const decoder = createDecoder(compression)
  // Failures of either side surface through the decoder, which pipeline destroys with them.
  const feeding = pipeline(compressed, decoder)
  feeding.catch(() => {})
  try {
    for await (const chunk of decoder as AsyncIterable<Buffer>) yield counted(chunk)
    await feeding
  } catch (cause) {
    // The source's own failure (a store read) is not bad data.
    throw cause === sourceError ? cause : badData(cause, label, compression, upstream)
  } finally {
    decoder.destroy()
    await chunks.return?.()
  }
}

function badData(cause: unknown, label: string, compression: Compression, upstream: boolean): LarderError {
  if (cause instanceof LarderError) return cause
  const message = (cause as Error)?.message ?? String(cause)
  // The xz decoder says a truncated file "failed to fill whole buffer": say what that means.
  const reason = TRUNCATED.test(message) ? `truncated: ${message}` : message
  return new LarderError(upstream ? 'E_UPSTREAM_GARBAGE' : 'E_BAD_REQUEST', `${label} is not valid ${compression} data (${reason})`, { cause })
}
