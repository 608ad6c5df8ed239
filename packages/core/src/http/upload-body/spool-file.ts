/** Streams an upload into a file in the store's spool folder while hashing it, so no upload is ever held in memory. */
import { randomUUID } from 'node:crypto'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StreamingDigest, type DigestAlgorithm, type DigestResult } from '../../digest/index.js'
import { LarderError, isLarderError } from '../../errors/index.js'
import { unlinkIfExists } from '../../store/fs-files.js'

/** An upload on disk, already hashed: hand it to `store.ingestBlob` (which takes the file) or `discardSpooledFile` it. */
export interface SpooledFile {
  /** Under the store's spoolDir, which a restart sweeps if this process dies holding it. */
  path: string
  size: number
  sha256: string
  /** sha256 and every algorithm asked for, lowercase hex. */
  digests: DigestResult['digests']
}

export interface SpoolOptions {
  /** `services.store.spoolDir`: the same filesystem as the blobs, so ingesting is a rename. */
  spoolDir: string
  /** Digests the app needs besides sha256 (e.g. md5 for twine, sha1 for Composer). */
  algorithms?: readonly DigestAlgorithm[]
}

/**
 * Writes `source`, through the `checks` (e.g. an UploadByteLimit), to a new spool file; on any failure
 * the partial file is deleted before the promise rejects.
 */
export async function spoolStream(source: Readable, options: SpoolOptions, checks: readonly Transform[] = []): Promise<SpooledFile> {
  const path = join(options.spoolDir, `upload-${randomUUID()}`)
  const digest = new StreamingDigest(Object.fromEntries((options.algorithms ?? []).map((algorithm) => [algorithm, ''])))
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      digest.update(chunk)
      callback(null, chunk)
    },
  })
  // Opened before any byte is read, so that a failure can never race the file's creation and leave it behind.
  const handle = await open(path, 'wx')
  try {
    await pipeline([source, ...checks, hashing, handle.createWriteStream()])
  } catch (error) {
    await handle.close().catch(() => {})
    await unlinkIfExists(path)
    throw error
  }
  const { sha256, size, digests } = digest.digest()
  return { path, size, sha256, digests }
}

/** Deletes a spooled upload; a file the store already took is simply gone. */
export async function discardSpooledFile(file: Pick<SpooledFile, 'path'>): Promise<void> {
  await unlinkIfExists(file.path)
}

/** What a failed read becomes: limits keep their error, the disk is the store's fault, anything else a body cut short or malformed. */
export function uploadReadError(error: unknown, what: string): LarderError {
  if (isLarderError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  if (typeof (error as { syscall?: unknown }).syscall === 'string') {
    return new LarderError('E_STORE', `${what} could not be written to the spool folder: ${message}`, { cause: error })
  }
  return new LarderError('E_BAD_REQUEST', `${what} (${message})`, { cause: error, hint: 'the upload did not arrive whole; send it again' })
}
