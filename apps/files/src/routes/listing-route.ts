/** GET/HEAD of a hosted directory (a URL ending in '/'): JSON for `Accept: application/json`, else a plain HTML index. */
import { LarderError } from '@larder/core'
import { listingJson, renderHtmlIndex, wantsJson } from '../listing/directory-listing.js'
import { filesUrl, type FilesContext, type FilesRouteContext } from './files-context.js'

/** The index may link to nothing but itself: no script, style, frame or form, whatever a name holds. */
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-cache',
}

/** `dir` is [repo, ...segments], or [] for the root (the repositories and the upstream names). */
export async function getListing(c: FilesRouteContext, files: FilesContext, dir: readonly string[], slash: boolean): Promise<Response> {
  const atRoot = dir.length === 0
  const doc = (await files.hosted.directory(dir)) ?? (atRoot ? { files: new Map(), dirs: [] } : undefined)
  if (!doc) {
    throw new LarderError('E_NOT_FOUND', `/${dir.join('/')}/ is not a hosted directory`, { hint: 'a directory exists while it holds a file' })
  }
  if (!slash) return c.redirect(filesUrl(c, files, dir, true), 301)
  c.set('cacheResult', 'PRIVATE')
  const listing = listingJson(`${files.prefix}/${dir.map((d) => `${d}/`).join('')}`, doc, atRoot ? Object.keys(files.settings.upstreams) : undefined)
  if (wantsJson(c.req.header('accept'))) return c.json(listing, 200, { 'cache-control': 'no-cache', vary: 'Accept' })
  return c.body(renderHtmlIndex(listing, atRoot), 200, { ...HTML_HEADERS, vary: 'Accept' })
}
