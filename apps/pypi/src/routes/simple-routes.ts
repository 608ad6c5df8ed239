/** GET of /simple/ and /simple/<project>/: negotiated format, canonical-name redirects, mirror URLs. */
import { createHash } from 'node:crypto'
import { clientHasCurrent, sendStream, staleHeaders } from '@larder/core'
import { metadataAdverts } from '../files/metadata-adverts.js'
import { parseProjectName } from '../names/project-name.js'
import { CONTENT_TYPES, negotiateFormat } from '../simple/negotiate.js'
import { renderPage } from '../simple/render-page.js'
import { listProjects, renderRoot } from '../simple/root-index.js'
import { appBase, type PypiContext, type PypiRouteContext } from './pypi-context.js'

export const PAGE_CACHE_CONTROL = 'max-age=60, public'

export async function getRoot(c: PypiRouteContext, pypi: PypiContext): Promise<Response> {
  // Set before negotiating so a 406 says it depends on Accept too, and caches keep it apart.
  c.header('vary', 'Accept')
  const format = negotiateFormat(c.req.header('accept'))
  const listing = await listProjects(pypi.services, pypi.privateIndex, pypi.settings.upstream)
  c.set('cacheResult', listing.result)
  const headers = { 'content-type': CONTENT_TYPES[format], vary: 'Accept', 'cache-control': PAGE_CACHE_CONTROL }
  return sendStream(c, { headers, body: renderRoot(listing, format, appBase(c, pypi)) })
}

export async function getProjectPage(c: PypiRouteContext, pypi: PypiContext, rawName: string, trailingSlash: boolean): Promise<Response> {
  const { normalized } = parseProjectName(rawName)
  const base = appBase(c, pypi)
  if (rawName !== normalized || !trailingSlash) {
    return c.body(null, 301, { location: `${base}/simple/${normalized}/`, vary: 'Accept' })
  }
  c.header('vary', 'Accept')
  const format = negotiateFormat(c.req.header('accept'))
  const handle = await pypi.pages.get(normalized)
  c.set('cacheResult', handle.result)
  const { store, upstream, config } = pypi.services
  const adverts = await metadataAdverts(handle, { store, upstream, offline: config.offline })
  const body = renderPage(handle.page, format, base, adverts)
  const etag = `"${createHash('sha256').update(format).update('\n').update(body).digest('hex').slice(0, 40)}"`
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[format],
    vary: 'Accept',
    etag,
    'cache-control': PAGE_CACHE_CONTROL,
    ...(handle.page.lastSerial !== undefined ? { 'x-pypi-last-serial': String(handle.page.lastSerial) } : {}),
    ...staleHeaders(handle.staleReason),
  }
  if (clientHasCurrent(c, etag)) return c.body(null, 304, headers)
  return c.body(body, 200, headers)
}
