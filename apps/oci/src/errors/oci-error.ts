/** Errors that carry the OCI distribution error code a client should read (MANIFEST_UNKNOWN, DIGEST_INVALID...) besides Larder's own. */
import { LarderError, type ErrorCode, type LarderErrorOptions } from '@larder/core'

/** The codes of the distribution spec, plus distribution's UNAVAILABLE and UNKNOWN for failures of our own or upstream's. */
export type OciErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'TAG_INVALID'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'UNAVAILABLE'
  | 'UNKNOWN'

export interface OciErrorOptions extends LarderErrorOptions {
  /** Answer with this status instead of the Larder code's (an offline miss is a 404 to an OCI client). */
  status?: number
}

export class OciError extends LarderError {
  readonly ociCode: OciErrorCode
  private readonly statusOverride: number | undefined

  constructor(ociCode: OciErrorCode, code: ErrorCode, message: string, options: OciErrorOptions = {}) {
    super(code, message, options)
    this.ociCode = ociCode
    this.statusOverride = options.status
  }

  override get status(): number {
    return this.statusOverride ?? super.status
  }
}

/** A LarderError raised by the core or the edge, re-labelled for OCI clients without losing its cause. */
export function withOciCode(error: LarderError, ociCode: OciErrorCode, status?: number): OciError {
  return new OciError(ociCode, error.code, error.message, {
    cause: error.cause,
    hint: error.hint,
    cacheResult: error.cacheResult,
    headers: error.headers ? { ...error.headers } : undefined,
    status,
  })
}
