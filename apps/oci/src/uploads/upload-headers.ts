/** The headers of an upload's answers, and the Content-Range of a chunk, as the distribution spec words them. */
import { OciError } from '../errors/oci-error.js'
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import type { OpenUpload } from './upload-types.js'

export interface ChunkRange {
  /** Inclusive, as in the header. */
  start: number
  end: number
}

/**
 * `Content-Range: <start>-<end>` as the spec has it, also `bytes <start>-<end>[/<total>]` (RFC 9110's form, which
 * some clients send); undefined when absent (a streamed PATCH, the way skopeo and docker send a whole layer).
 */
export function parseChunkRange(header: string | undefined): ChunkRange | undefined {
  if (header === undefined) return undefined
  const match = /^(?:bytes[ =])?(\d{1,15})-(\d{1,15})(?:\/(?:\d{1,15}|\*))?$/.exec(header.trim())
  const start = Number(match?.[1])
  const end = Number(match?.[2])
  if (!match || end < start) {
    throw new OciError('BLOB_UPLOAD_INVALID', 'E_BAD_REQUEST', `Content-Range "${header.slice(0, 60)}" is not <start>-<end>`, {
      hint: 'both ends are inclusive byte offsets, e.g. 0-1048575 for the first MiB',
    })
  }
  return { start, end }
}

/**
 * Where the upload is and how far it got: `Range: 0-<last byte>`. distribution answers 0-0 for an empty upload
 * too (the spec's form has no way to say "nothing"), and clients expect that.
 */
export function sessionHeaders(clientName: string, session: OpenUpload): Record<string, string> {
  return {
    ...API_VERSION_HEADER,
    location: `/v2/${clientName}/blobs/uploads/${session.id}`,
    'docker-upload-uuid': session.id,
    range: `0-${Math.max(session.size - 1, 0)}`,
  }
}

/** An out-of-order chunk: 416, with where the upload stands so the client can resume from there. */
export function outOfOrder(clientName: string, session: OpenUpload, range: ChunkRange): OciError {
  return new OciError('BLOB_UPLOAD_INVALID', 'E_BAD_REQUEST', `the chunk starts at byte ${range.start}, but the upload holds ${session.size} bytes`, {
    hint: `send the chunk that starts at byte ${session.size}`,
    headers: sessionHeaders(clientName, session),
    status: 416,
  })
}
