/** Reads the members of an ar archive (a .deb) from a spooled file by offset: headers read in place, member bodies streamed, nothing held whole. */
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { LarderError } from '@larder/core'

const AR_MAGIC = '!<arch>\n'
const AR_HEADER = 60

/** Random access to an archive's bytes: a file on disk, or a Buffer (tests, small inputs). */
export interface ArSource {
  size: number
  /** Up to `length` bytes from `start`. */
  read(start: number, length: number): Promise<Buffer>
  /** `length` bytes from `start`, as they come off the disk. */
  stream(start: number, length: number): Readable
}

export interface ArMember {
  name: string
  /** Where the member's body starts in the archive. */
  offset: number
  size: number
}

export function bufferSource(bytes: Buffer): ArSource {
  return {
    size: bytes.length,
    read: async (start, length) => bytes.subarray(start, start + length),
    stream: (start, length) => Readable.from([bytes.subarray(start, start + length)], { objectMode: false }),
  }
}

export async function fileSource(path: string): Promise<ArSource> {
  const { size } = await stat(path)
  return {
    size,
    async read(start, length) {
      const handle = await open(path, 'r')
      try {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - start)))
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, start)
        return buffer.subarray(0, bytesRead)
      } finally {
        await handle.close()
      }
    },
    stream: (start, length) => (length > 0 ? createReadStream(path, { start, end: start + length - 1 }) : Readable.from([], { objectMode: false })),
  }
}

export function arInvalid(
  message: string,
  hint = 'upload a package built with dpkg-deb (an ar archive with debian-binary, control.tar.* and data.tar.*)',
): LarderError {
  return new LarderError('E_BAD_REQUEST', `not a valid .deb: ${message}`, { hint })
}

/** The members' names and places; a member that runs past the end of the archive is refused. */
export async function readArMembers(input: Buffer | ArSource): Promise<ArMember[]> {
  const source = Buffer.isBuffer(input) ? bufferSource(input) : input
  const magic = await source.read(0, AR_MAGIC.length)
  if (magic.length < AR_MAGIC.length || magic.toString('latin1') !== AR_MAGIC) throw arInvalid('it is not an ar archive')
  const members: ArMember[] = []
  let offset = AR_MAGIC.length
  while (offset + AR_HEADER <= source.size) {
    const header = (await source.read(offset, AR_HEADER)).toString('latin1')
    if (header.slice(58, 60) !== '`\n') throw arInvalid(`bad ar member header at byte ${offset}`)
    const sizeText = header.slice(48, 58).trim()
    const size = /^\d+$/.test(sizeText) ? Number(sizeText) : NaN
    if (!Number.isSafeInteger(size) || offset + AR_HEADER + size > source.size) throw arInvalid('an ar member runs past the end of the file')
    members.push({ name: header.slice(0, 16).trim().replace(/\/$/, ''), offset: offset + AR_HEADER, size })
    offset += AR_HEADER + size + (size % 2)
  }
  return members
}
