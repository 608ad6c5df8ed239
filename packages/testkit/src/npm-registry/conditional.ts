/** HTTP conditional-request evaluation (RFC 9110 §13) for the fixture's validators. */
import type { IncomingHttpHeaders } from 'node:http'

/** If-None-Match wins over If-Modified-Since when both are sent, as the RFC requires. */
export function isNotModified(headers: IncomingHttpHeaders, etag: string, lastModified: string): boolean {
  const ifNoneMatch = headers['if-none-match']
  if (ifNoneMatch !== undefined) {
    // Weak comparison: a W/ prefix from an intermediary still matches.
    const strip = (tag: string) => tag.trim().replace(/^W\//, '')
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag))
  }
  const ifModifiedSince = headers['if-modified-since']
  if (ifModifiedSince === undefined) return false
  const since = Date.parse(ifModifiedSince)
  return !Number.isNaN(since) && Date.parse(lastModified) <= since
}
