/** Serves an artifact from the cache: ETag and 304, Range and 206 on stored copies, streaming on a miss. */
import type { Context } from 'hono'
import type { ArtifactResponse } from '../cache/index.js'
import { LarderError } from '../errors/index.js'
import type { CacheEntry, CacheStore } from '../store/types.js'
import { clientHasCurrent } from './conditional.js'
import { parseRange } from './range.js'
import { sendStream } from './send-stream.js'
import type { LarderEnv } from './types.js'

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'
/** Types a browser would render or run: a package file is data, whatever an upstream or an uploader called it. */
const ACTIVE_CONTENT_TYPE = /html|xml|svg|javascript|ecmascript|xsl|multipart/i
export const SAFE_ARTIFACT_CONTENT_TYPE = 'application/octet-stream'

/** The type an artifact is served with: its own, unless a browser would render it as a page or a script. */
export function safeArtifactContentType(contentType: string): string {
  return ACTIVE_CONTENT_TYPE.test(contentType) ? SAFE_ARTIFACT_CONTENT_TYPE : contentType
}

/** Serves a file a mirror hosts (result PRIVATE) from its entry; its body missing from the store is an E_STORE error. */
export async function serveHostedFile(
  c: Context<LarderEnv>,
  store: CacheStore,
  entry: CacheEntry,
  contentType = entry.contentType ?? SAFE_ARTIFACT_CONTENT_TYPE,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const body = entry.blob ? await store.openBlob(entry.blob) : undefined
  if (!body) throw new LarderError('E_STORE', `hosted file ${entry.key} lost its body`, { hint: 'publish it again; check the store for other losses' })
  return serveArtifact(c, { result: 'PRIVATE', body, size: entry.size, contentType, entry }, store, extraHeaders)
}

export async function serveArtifact(
  c: Context<LarderEnv>,
  artifact: ArtifactResponse,
  store: CacheStore,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  c.set('cacheResult', artifact.result)
  const headers: Record<string, string> = {
    'content-type': safeArtifactContentType(artifact.contentType),
    'cache-control': IMMUTABLE_CACHE_CONTROL,
    ...extraHeaders,
  }
  const entry = artifact.entry
  if (!entry?.blob || entry.size === undefined) {
    return sendStream(c, { headers, body: artifact.body, size: artifact.size })
  }
  const etag = `"${entry.blob}"`
  const lastModified = new Date(entry.fetchedAt).toUTCString()
  headers.etag = etag
  headers['last-modified'] = lastModified
  headers['accept-ranges'] = 'bytes'
  if (clientHasCurrent(c, etag)) {
    artifact.body.destroy()
    // RFC 9111: a cache updates its stored headers from a 304, so it carries the caller's cache-control (a tag's no-cache).
    return c.body(null, 304, { etag, 'cache-control': headers['cache-control'] ?? IMMUTABLE_CACHE_CONTROL })
  }
  const ifRange = c.req.header('if-range')
  const range = ifRange && !rangeStillValid(ifRange, etag, entry.fetchedAt) ? undefined : parseRange(c.req.header('range'), entry.size)
  if (range === 'unsatisfiable') {
    artifact.body.destroy()
    return c.body(null, 416, { 'content-range': `bytes */${entry.size}` })
  }
  if (!range) return sendStream(c, { headers, body: artifact.body, size: entry.size })
  artifact.body.destroy()
  const partial = await store.openBlob(entry.blob, range)
  if (!partial) throw new LarderError('E_STORE', `blob ${entry.blob} vanished while serving ${entry.key}`)
  headers['content-range'] = `bytes ${range.start}-${range.end}/${entry.size}`
  return sendStream(c, { status: 206, headers, body: partial, size: range.end - range.start + 1 })
}

/**
 * If-Range holds our ETag or a date (apt resumes with the Last-Modified it saw). Stored artifacts
 * never change, so a date at or after the time we stored it names the same bytes.
 */
function rangeStillValid(ifRange: string, etag: string, storedAt: number): boolean {
  const value = ifRange.trim()
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag
  const date = Date.parse(value)
  return Number.isFinite(date) && date >= Math.floor(storedAt / 1000) * 1000
}
