/** One error class for all of Larder: a stable `code`, an HTTP status, and the `cause`. */

export const ERROR_STATUS = {
  E_BAD_REQUEST: 400,
  E_INVALID_NAME: 400,
  E_UNAUTHORIZED: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_METHOD_NOT_ALLOWED: 405,
  E_NOT_ACCEPTABLE: 406,
  E_CONFLICT: 409,
  E_TOO_LARGE: 413,
  E_UNSUPPORTED_MEDIA: 415,
  /** A request framed in a way Larder does not apply (a transfer coding other than chunked). */
  E_NOT_IMPLEMENTED: 501,
  E_UPSTREAM_STATUS: 502,
  E_UPSTREAM_UNREACHABLE: 502,
  E_UPSTREAM_GARBAGE: 502,
  E_INTEGRITY: 502,
  E_CIRCUIT_OPEN: 503,
  /** A first publish needs the upstream's word that it has no such name, and it could not be had. */
  E_NAME_CHECK_UNAVAILABLE: 503,
  E_OFFLINE_MISS: 504,
  E_UPSTREAM_TIMEOUT: 504,
  E_PROXY_LOOP: 508,
  E_INVALID_OPTION: 500,
  E_STORE: 500,
  E_INTERNAL: 500,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export interface LarderErrorOptions {
  cause?: unknown
  /** What the user can do about it; shown in the response body and the log. */
  hint?: string
  /** For the request line: where this answer came from (a remembered upstream 404 is a HIT). */
  cacheResult?: string
  /** Response headers the status calls for, e.g. Allow with a 405. */
  headers?: Record<string, string>
  /** For E_UPSTREAM_STATUS: what the upstream answered, for an edge that passes some on (OCI's 403 DENIED). */
  upstreamStatus?: number
}

export class LarderError extends Error {
  override readonly name = 'LarderError'
  readonly code: ErrorCode
  readonly hint: string | undefined
  readonly cacheResult: string | undefined
  readonly headers: Readonly<Record<string, string>> | undefined
  readonly upstreamStatus: number | undefined

  constructor(code: ErrorCode, message: string, options: LarderErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.code = code
    this.hint = options.hint
    this.cacheResult = options.cacheResult
    this.headers = options.headers
    this.upstreamStatus = options.upstreamStatus
  }

  get status(): number {
    return ERROR_STATUS[this.code]
  }

  /** Whether a stale cached copy should be served instead of this error. */
  get isUpstreamFailure(): boolean {
    return (
      this.code === 'E_UPSTREAM_UNREACHABLE' ||
      this.code === 'E_UPSTREAM_TIMEOUT' ||
      this.code === 'E_UPSTREAM_STATUS' ||
      this.code === 'E_UPSTREAM_GARBAGE' ||
      this.code === 'E_CIRCUIT_OPEN' ||
      this.code === 'E_INTEGRITY'
    )
  }
}

export function isLarderError(err: unknown, code?: ErrorCode): err is LarderError {
  return err instanceof LarderError && (code === undefined || err.code === code)
}

/** Wraps anything thrown into a LarderError, keeping LarderErrors as they are. */
export function toLarderError(err: unknown): LarderError {
  if (err instanceof LarderError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new LarderError('E_INTERNAL', message, { cause: err })
}
