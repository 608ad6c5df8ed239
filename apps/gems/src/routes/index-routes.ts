/** GET of /versions, /names and /info/<gem>: strong MD5 ETags, 304, `Range: bytes=N-` and Repr-Digest, as bundler expects. */
import { clientHasCurrent, parseRange, staleHeaders } from '@larder/core'
import type { ServedDocument } from '../compact-index/served-index.js'
import type { GemsContext, GemsRouteContext } from './gems-context.js'

/** Clients revalidate cheaply with If-None-Match, so a short max-age keeps them close to Larder's generation. */
export const COMPACT_INDEX_CACHE_CONTROL = 'public, max-age=60'

export function serveCompactIndex(c: GemsRouteContext, doc: ServedDocument): Response {
  c.set('cacheResult', doc.result)
  const size = doc.body.length
  // A weak ETag would break bundler (bundler#4764): it compares the quoted MD5 of its own copy.
  const etag = `"${doc.md5}"`
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    etag,
    'repr-digest': `sha-256=:${doc.sha256Base64}:`,
    'accept-ranges': 'bytes',
    'cache-control': COMPACT_INDEX_CACHE_CONTROL,
    ...staleHeaders(doc.staleReason),
  }
  if (clientHasCurrent(c, etag)) return c.body(null, 304, headers)
  const ifRange = c.req.header('if-range')
  const range = ifRange && ifRange !== etag ? undefined : parseRange(c.req.header('range'), size)
  if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'content-range': `bytes */${size}` })
  const status = range ? 206 : 200
  const body = range ? doc.body.subarray(range.start, range.end + 1) : doc.body
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`
  headers['content-length'] = String(body.length)
  if (c.req.method === 'HEAD') return c.body(null, status, headers)
  return c.body(new Uint8Array(body), status, headers)
}

export async function getVersions(c: GemsRouteContext, gems: GemsContext): Promise<Response> {
  return serveCompactIndex(c, await gems.index.versions())
}

export async function getNames(c: GemsRouteContext, gems: GemsContext): Promise<Response> {
  return serveCompactIndex(c, await gems.index.names())
}

export async function getInfo(c: GemsRouteContext, gems: GemsContext, name: string): Promise<Response> {
  return serveCompactIndex(c, await gems.index.info(name))
}
