/** Unpacks a small member (a .deb's control.tar) whole, within a limit; the decoding itself streams off the event loop. */
import { readAll } from '@larder/core'
import { decompressStream, type DecompressOptions } from './decompress-stream.js'

export { sniffCompression, type Compression } from './decoders.js'
export { DEFAULT_MAX_DECOMPRESSED_BYTES, decompressStream, type DecompressOptions } from './decompress-stream.js'

export async function decompress(bytes: Buffer, label: string, maxBytes?: number, faultOf: DecompressOptions['faultOf'] = 'client'): Promise<Buffer> {
  return readAll(decompressStream(bytes, label, { faultOf, maxBytes }))
}
