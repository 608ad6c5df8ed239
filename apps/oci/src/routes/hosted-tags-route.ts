/** GET /v2/<hosted>/<repo>/tags/list[?n=&last=]: the pushed tags in ASCII order, a page at a time with a Link to the next. */
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import { OciError } from '../errors/oci-error.js'
import type { HostedTarget } from '../names/upstream-target.js'
import { pageQuery } from '../tags/tag-list.js'
import type { OciContext, OciRouteContext } from './oci-context.js'
import { readPage } from './tags-route.js'

export async function getHostedTags(c: OciRouteContext, oci: OciContext, image: HostedTarget): Promise<Response> {
  const page = readPage(c)
  const tags = await oci.repos.tags(image.repo)
  if (!tags) throw new OciError('NAME_UNKNOWN', 'E_NOT_FOUND', `nothing was pushed to ${image.clientName}`, { cacheResult: 'PRIVATE' })
  // ASCII order (Go's sort.Strings), as the spec asks; `last` is compared the same way.
  const all = Object.keys(tags).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const after = page.last === undefined ? all : all.filter((tag) => tag > page.last!)
  const listed = page.n === undefined ? after : after.slice(0, page.n)
  c.set('cacheResult', 'PRIVATE')
  const headers: Record<string, string> = { ...API_VERSION_HEADER, 'cache-control': 'no-cache' }
  if (page.n !== undefined && page.n > 0 && listed.length < after.length) {
    headers.link = `</v2/${image.clientName}/tags/list?${pageQuery({ n: page.n, last: listed.at(-1)! })}>; rel="next"`
  }
  return c.json({ name: image.clientName, tags: listed }, 200, headers)
}
