/** The checks every chunk of an upload passes as it streams: the blob's size limit and the length its headers announced. */
import { Transform } from 'node:stream'
import { uploadReadError, uploadTooLarge } from '@larder/core'
import { OciError, withOciCode } from '../errors/oci-error.js'

export interface ChunkLimits {
  /** LARDER_MAX_UPLOAD_MB, for the whole blob. */
  maxBytes: number
  /** The chunk must be exactly this long (its Content-Range or Content-Length said so). */
  length?: number
}

/**
 * A pass-through that counts the chunk and fails it once it runs past the limit (given `start` bytes held
 * already) or past its announced length; `check()` after the stream ends fails a chunk that came up short.
 * A chunk announced over what the limit leaves is refused before a byte of it is read.
 */
export function chunkCounter(limits: ChunkLimits, start: number, label: string, onChunk?: (chunk: Buffer) => void) {
  const allowed = limits.maxBytes - start
  if (limits.length !== undefined && limits.length > allowed) throw uploadTooLarge(label, limits.maxBytes)
  let received = 0
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length
      if (received > allowed) return callback(uploadTooLarge(label, limits.maxBytes))
      if (limits.length !== undefined && received > limits.length) return callback(lengthMismatch(label, received, limits.length))
      onChunk?.(chunk)
      callback(null, chunk)
    },
  })
  return {
    transform,
    get received() {
      return received
    },
    check() {
      if (limits.length !== undefined && received !== limits.length) throw lengthMismatch(label, received, limits.length)
    },
  }
}

/** A chunk that came empty where bytes were announced. */
export function checkEmptyChunk(limits: ChunkLimits, label: string): void {
  if (limits.length) throw lengthMismatch(label, 0, limits.length)
}

/** What a failed chunk is told as: its limit's own error, the store's, or BLOB_UPLOAD_INVALID for a body cut short. */
export function chunkReadError(error: unknown, label: string): Error {
  const failure = uploadReadError(error, `${label} was cut short`)
  return failure instanceof OciError || failure.code !== 'E_BAD_REQUEST' ? failure : withOciCode(failure, 'BLOB_UPLOAD_INVALID')
}

function lengthMismatch(label: string, received: number, expected: number): OciError {
  return new OciError('BLOB_UPLOAD_INVALID', 'E_BAD_REQUEST', `${label}: ${received} bytes arrived where ${expected} were announced`, {
    hint: 'nothing of this chunk was kept: send it again from the offset the upload status gives',
  })
}
