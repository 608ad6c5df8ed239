/** A document's bytes as the text a resolve reads: gzip, zstd and xz unpacked (an APT Packages.xz), told by their magic bytes. */
import { promisify } from 'node:util'
import { gunzip, zstdDecompress } from 'node:zlib'
// The APT mirror's own xz decoder (apps/apt decompress/decoders.ts says why this one): it decodes off the event loop.
import { decompress as xzDecompress } from '@napi-rs/lzma/xz'

const gunzipAsync = promisify(gunzip)
const zstdAsync = promisify(zstdDecompress)
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])

/** Undefined for a compression none of those is (bzip2): such a body is there only to be held, a resolve reads another form. */
export async function documentText(bytes: Buffer): Promise<string | undefined> {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return (await gunzipAsync(bytes)).toString('utf8')
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return (await zstdAsync(bytes)).toString('utf8')
  if (bytes.subarray(0, 6).equals(XZ_MAGIC)) return Buffer.from(await xzDecompress(bytes)).toString('utf8')
  if (bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68) return undefined
  return bytes.toString('utf8')
}
