/** GET /v2/<name>/tags/list[?n=&last=]: the upstream's tags under the name the client used, falling back to what is cached. */
import { staleHeaders } from '@larder/core'
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import { OciError } from '../errors/oci-error.js'
import { isTag } from '../names/oci-grammar.js'
import type { RegistryTarget } from '../registry/registry-client.js'
import { pageQuery, type TagPage } from '../tags/tag-list.js'
import type { OciContext, OciRouteContext } from './oci-context.js'

export async function getTags(c: OciRouteContext, oci: OciContext, target: RegistryTarget, clientName: string): Promise<Response> {
  const listed = await oci.tags.list(target, readPage(c))
  c.set('cacheResult', listed.result)
  const headers: Record<string, string> = { ...API_VERSION_HEADER, 'cache-control': 'no-cache', ...staleHeaders(listed.staleReason) }
  if (listed.next) headers.link = `</v2/${clientName}/tags/list?${pageQuery(listed.next)}>; rel="next"`
  return c.json({ name: clientName, tags: listed.tags }, 200, headers)
}

/** `n` and `last`, checked. */
export function readPage(c: OciRouteContext): TagPage {
  const page: TagPage = {}
  const n = c.req.query('n')
  const last = c.req.query('last')
  if (n !== undefined) {
    if (!/^\d{1,6}$/.test(n))
      throw new OciError('UNSUPPORTED', 'E_BAD_REQUEST', `n=${n.slice(0, 20)} is not a page size`, { hint: 'n is a whole number up to 999999' })
    page.n = Number(n)
  }
  if (last !== undefined) {
    if (!isTag(last)) throw new OciError('TAG_INVALID', 'E_BAD_REQUEST', 'last= is not a tag')
    page.last = last
  }
  return page
}
