/** An upstream index document as it arrives: held in memory while small, spilled to a spool file once it grows large. */
import { randomUUID } from 'node:crypto'
import { open, readFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { StreamingDigest } from '../digest/index.js'
import { LarderError } from '../errors/index.js'
import { unlinkIfExists } from '../store/fs-files.js'
import type { UpstreamResponse } from '../upstream/index.js'
import type { UpstreamIndexBody } from './types.js'

/**
 * Bodies up to this size never touch the disk. Most index documents (packuments, simple pages, p2
 * files) are a few kB: a spool file would cost each miss a create, writes, a read back and an unlink.
 */
export const DEFAULT_INDEX_MEMORY_BYTES = 256 * 1024

export interface ReceiveIndexOptions {
  label: string
  spoolDir: string
  /** Larger bodies are refused with E_TOO_LARGE. */
  maxBytes: number
  memoryBytes?: number
}

export interface ReceivedIndexBody extends UpstreamIndexBody {
  /** Deletes the spool file, if the body needed one. */
  discard(): Promise<void>
}

/** Reads `response.body` whole, hashing it as it streams; on any failure the body is destroyed and nothing is left behind. */
export async function receiveIndexBody(response: UpstreamResponse, options: ReceiveIndexOptions): Promise<ReceivedIndexBody> {
  const memoryBytes = options.memoryBytes ?? DEFAULT_INDEX_MEMORY_BYTES
  const digest = new StreamingDigest()
  const held: Buffer[] = []
  let size = 0
  let file: { path: string; handle: FileHandle } | undefined
  try {
    for await (const chunk of response.body as Readable & AsyncIterable<Buffer>) {
      if (size + chunk.byteLength > options.maxBytes) {
        throw new LarderError('E_TOO_LARGE', `${options.label} is larger than ${options.maxBytes} bytes`)
      }
      digest.update(chunk)
      if (!file && size + chunk.byteLength > memoryBytes) file = await spillTo(options.spoolDir, held, size)
      if (file) await file.handle.write(chunk, 0, chunk.byteLength, size)
      else held.push(chunk)
      size += chunk.byteLength
    }
    await file?.handle.close()
  } catch (err) {
    response.body.destroy()
    await file?.handle.close().catch(() => {})
    if (file) await unlinkIfExists(file.path)
    throw err
  }
  const result = digest.digest()
  const path = file?.path
  const bytes = path ? undefined : Buffer.concat(held, size)
  return {
    path,
    size,
    sha256: result.sha256,
    status: response.status,
    headers: response.headers,
    readBytes: async () => bytes ?? readFile(path!),
    discard: async () => {
      if (path) await unlinkIfExists(path)
    },
  }
}

/** Moves the bytes held so far into a new spool file. */
async function spillTo(spoolDir: string, held: Buffer[], size: number): Promise<{ path: string; handle: FileHandle }> {
  const path = join(spoolDir, `index-${randomUUID()}`)
  const handle = await open(path, 'wx')
  try {
    if (size > 0) await handle.write(Buffer.concat(held, size), 0, size, 0)
  } catch (err) {
    await handle.close().catch(() => {})
    await unlinkIfExists(path)
    throw err
  }
  held.length = 0
  return { path, handle }
}
