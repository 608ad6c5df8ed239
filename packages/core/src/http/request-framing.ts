/**
 * Requests refused before routing for how they are framed (RFC 9112): more than one Host is a 400 (which one
 * would the URLs in documents name?), and a transfer coding other than chunked a 501, as Node applies only
 * chunked and the body would otherwise be stored still encoded. And for how they are addressed: a path with
 * dot segments, which URL parsing would resolve (`/npm/x/%2e%2e` is `/npm/`) before any mirror saw it.
 */
import { LarderError } from '../errors/index.js'

/** The refusal for a request's raw header lines (name, value, name, value, ...), or undefined when it is framed plainly. */
export function framingRefusal(rawHeaders: readonly string[]): LarderError | undefined {
  let hosts = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    if (name.length === 4 && name.toLowerCase() === 'host' && ++hosts > 1) {
      return new LarderError('E_BAD_REQUEST', 'the request has more than one Host header', { hint: 'send exactly one Host' })
    }
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding' && !onlyChunked(rawHeaders[i + 1] ?? '')) {
      return new LarderError('E_NOT_IMPLEMENTED', `Larder applies no transfer coding but chunked, not "${(rawHeaders[i + 1] ?? '').slice(0, 64)}"`, {
        hint: 'send the body as it is, with Content-Length or chunked',
      })
    }
  }
  return undefined
}

function onlyChunked(value: string): boolean {
  return value.split(',').every((coding) => coding.trim().toLowerCase() === 'chunked')
}

/** A segment that is `.` or `..`, as sent or with its dots percent-encoded. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i

/** The refusal for a request target whose path has a dot segment; no client of any ecosystem sends one. */
export function dotSegmentRefusal(target: string | undefined): LarderError | undefined {
  const path = (target ?? '').split('?', 1)[0]!
  if (!DOT_SEGMENT.test(path)) return undefined
  return new LarderError('E_INVALID_NAME', `the path has a '.' or '..' segment (as sent, or percent-encoded): ${path.slice(0, 120)}`, {
    hint: 'send the path without dot segments',
  })
}
