/** Turns network-level errors (Node, undici) into LarderErrors with stable codes and a useful hint. */
import { LarderError } from '../errors/larder-error.js'

/** How a request failed before (or while) upstream answered. */
export type FailureKind = 'unreachable' | 'timeout' | 'tls' | 'garbage' | 'unknown'

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
])
const GARBAGE_CODES = new Set(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_HEADERS_OVERFLOW', 'UND_ERR_INFO'])
const TLS_CODE = /^ERR_TLS_|^ERR_SSL_|CERT|^UNABLE_TO_|SELF_SIGNED|^EPROTO$|^UND_ERR_PRX_TLS$/

const TIMEOUT_PHASES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting',
  UND_ERR_HEADERS_TIMEOUT: 'waiting for the response headers',
  UND_ERR_BODY_TIMEOUT: 'waiting for more of the body',
}

export function classifyFailure(err: unknown): FailureKind {
  const code = errorCode(err)
  // undici's parser names no code for a reply that is not HTTP at all (a bad status line, HTTP/0.9).
  if (code === undefined) return isParserError(err) ? 'garbage' : 'unknown'
  if (TIMEOUT_CODES.has(code)) return 'timeout'
  if (UNREACHABLE_CODES.has(code)) return 'unreachable'
  if (TLS_CODE.test(code)) return 'tls'
  if (GARBAGE_CODES.has(code) || code.startsWith('HPE_')) return 'garbage'
  return 'unknown'
}

function isParserError(err: unknown, depth = 0): boolean {
  if (depth > 4 || typeof err !== 'object' || err === null) return false
  return (err as Error).name === 'HTTPParserError' || isParserError((err as { cause?: unknown }).cause, depth + 1)
}

/** The first error code found on the error, its `cause` chain, or (for happy-eyeballs AggregateErrors) its parts. */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof err !== 'object' || err === null) return undefined
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof code === 'string' && code !== 'UND_ERR') return code
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = errorCode(inner, depth + 1)
      if (found !== undefined) return found
    }
  }
  return errorCode(cause, depth + 1)
}

export interface FailureContext {
  url: string
  /** Whether requests go through HTTP(S)_PROXY, so the hint can point there too. */
  proxied: boolean
  /** Whether the response had already been handed to the caller when this happened. */
  midBody?: boolean
}

export function toUpstreamError(err: unknown, context: FailureContext): LarderError {
  if (err instanceof LarderError) return err
  const origin = safeOrigin(context.url)
  const code = errorCode(err)
  const detail = err instanceof Error ? err.message : String(err)
  const networkHint = `check LARDER_*_UPSTREAM${context.proxied ? ', HTTP(S)_PROXY, NO_PROXY' : ''} and the network`
  switch (classifyFailure(err)) {
    case 'timeout': {
      const phase = (code && TIMEOUT_PHASES[code]) ?? 'waiting for it'
      return new LarderError('E_UPSTREAM_TIMEOUT', `upstream ${origin} timed out ${phase}`, { cause: err, hint: networkHint })
    }
    case 'unreachable': {
      const what = context.midBody ? 'closed the connection in the middle of the body' : 'is unreachable'
      return new LarderError('E_UPSTREAM_UNREACHABLE', `upstream ${origin} ${what} (${code}: ${detail})`, {
        cause: err,
        hint: networkHint,
      })
    }
    case 'tls':
      return new LarderError('E_UPSTREAM_UNREACHABLE', `TLS with upstream ${origin} failed (${code}: ${detail})`, {
        cause: err,
        hint: 'if the upstream uses a private CA, add it with NODE_EXTRA_CA_CERTS',
      })
    case 'garbage':
      return new LarderError('E_UPSTREAM_GARBAGE', `upstream ${origin} sent a malformed HTTP response (${code ? `${code}: ` : ''}${detail})`, {
        cause: err,
        hint: 'the upstream, or a proxy in between, is misbehaving',
      })
    case 'unknown':
      return new LarderError('E_INTERNAL', `request to upstream ${origin} failed: ${detail}`, { cause: err })
  }
}

/** The origin only: a full URL may carry credentials or signed tokens that must not reach logs. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return '(invalid URL)'
  }
}

/** Origin and path, no credentials and no query: what an error may say of a URL (a CDN's signed query is a secret). */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`
  } catch {
    return '(invalid URL)'
  }
}
