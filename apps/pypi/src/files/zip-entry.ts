/** Reads one small file out of a zip by its central directory, in three range reads (wheels' METADATA, zip sdists' PKG-INFO). */
import { open } from 'node:fs/promises'
import { inflateRawSync } from 'node:zlib'

/** Reads bytes [start, end) of the zip. */
export type ReadRange = (start: number, end: number) => Promise<Buffer>

const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const EOCD_MIN = 22
const EOCD_SEARCH = EOCD_MIN + 0xffff
/** Metadata files are a few KB; anything huge is not one Larder will inflate into memory. */
export const MAX_ZIP_ENTRY_BYTES = 8 * 1024 * 1024
/** Read whole into memory; a directory this big (some 400,000 entries) is not a wheel or an sdist. */
const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024

export function bufferReader(bytes: Buffer): ReadRange {
  return async (start, end) => bytes.subarray(start, end)
}

/** Lends `use` a reader of a zip on disk (a spooled upload), through one open file closed afterwards. */
export async function withFileReader<T>(path: string, use: (read: ReadRange) => Promise<T>): Promise<T> {
  const handle = await open(path, 'r')
  try {
    return await use(async (start, end) => {
      const buffer = Buffer.alloc(Math.max(0, end - start))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start)
      return buffer.subarray(0, bytesRead)
    })
  } finally {
    await handle.close()
  }
}

/**
 * The first entry whose path `isWanted` accepts, or undefined when there is none or the zip is not one
 * Larder can read (zip64, unknown compression, corrupt, entry over MAX_ZIP_ENTRY_BYTES).
 */
export async function readZipEntry(size: number, read: ReadRange, isWanted: (path: string) => boolean): Promise<Buffer | undefined> {
  if (size < EOCD_MIN) return undefined
  const tailStart = Math.max(0, size - EOCD_SEARCH)
  const tail = await read(tailStart, size)
  let eocd = -1
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i
      break
    }
  }
  if (eocd < 0) return undefined
  const entries = tail.readUInt16LE(eocd + 10)
  const cdSize = tail.readUInt32LE(eocd + 12)
  const cdOffset = tail.readUInt32LE(eocd + 16)
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || cdOffset + cdSize > size || cdSize > MAX_CENTRAL_DIRECTORY_BYTES)
    return undefined
  const cd = await read(cdOffset, cdOffset + cdSize)
  let at = 0
  for (let n = 0; n < entries && at + 46 <= cd.length; n++) {
    if (cd.readUInt32LE(at) !== CENTRAL_SIGNATURE) return undefined
    const method = cd.readUInt16LE(at + 10)
    const compressedSize = cd.readUInt32LE(at + 20)
    const uncompressedSize = cd.readUInt32LE(at + 24)
    const nameLength = cd.readUInt16LE(at + 28)
    const extraLength = cd.readUInt16LE(at + 30)
    const commentLength = cd.readUInt16LE(at + 32)
    const localOffset = cd.readUInt32LE(at + 42)
    const name = cd.subarray(at + 46, at + 46 + nameLength).toString('utf8')
    at += 46 + nameLength + extraLength + commentLength
    if (!isWanted(name)) continue
    if (uncompressedSize > MAX_ZIP_ENTRY_BYTES || compressedSize > MAX_ZIP_ENTRY_BYTES) return undefined
    const header = await read(localOffset, Math.min(size, localOffset + 30))
    if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) return undefined
    const dataStart = localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
    const data = await read(dataStart, dataStart + compressedSize)
    try {
      const bytes = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data, { maxOutputLength: MAX_ZIP_ENTRY_BYTES }) : undefined
      return bytes && bytes.length === uncompressedSize ? bytes : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}
