/** GET of a packument (full or abbreviated by Accept) and of one version or dist-tag. */
import { createHash } from 'node:crypto'
import { HeldBlob, LarderError, clientHasCurrent, sendStream, staleHeaders } from '@larder/core'
import type { PackageName } from '../names/package-name.js'
import { insertBaseUrl, insertBaseUrlInto, insertedLength } from '../packument/insert-base-url.js'
import type { PackumentHandle } from '../packument/packument-source.js'
import { registryBase, type NpmContext, type NpmRouteContext } from './npm-context.js'

export const ABBREVIATED_TYPE = 'application/vnd.npm.install-v1+json'

/** True when Accept names the abbreviated type with a non-zero quality. */
export function wantsAbbreviated(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim())
    if (type?.toLowerCase() !== ABBREVIATED_TYPE) return false
    const q = params.find((param) => /^q=/i.test(param))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

/** Cache headers of documents whose links depend on how the client reached Larder. */
function documentCacheHeaders(npm: NpmContext): Record<string, string> {
  const { publicUrl, protectReads } = npm.services.config
  return {
    vary: publicUrl ? 'Accept' : 'Accept, Host, X-Forwarded-Host, X-Forwarded-Proto, X-Forwarded-Prefix',
    'cache-control': `${protectReads ? 'private' : 'public'}, max-age=60`,
  }
}

export async function getPackument(c: NpmRouteContext, npm: NpmContext, name: PackageName): Promise<Response> {
  const handle = await npm.packuments.get(name)
  c.set('cacheResult', handle.result)
  const abbreviated = wantsAbbreviated(c.req.header('accept'))
  const entry = handle.entry
  const sha256 = abbreviated ? entry.parts?.abbreviated?.sha256 : entry.blob
  const size = abbreviated ? entry.parts?.abbreviated?.size : entry.size
  const offsets = (abbreviated ? entry.meta?.abbreviatedOffsets : entry.meta?.fullOffsets) as number[] | undefined
  if (!sha256 || size === undefined || !offsets) throw new LarderError('E_STORE', `stored packument ${entry.key} is incomplete`)
  const base = registryBase(c, npm)
  const etag = `"${sha256.slice(0, 40)}-${createHash('sha1').update(base).digest('hex').slice(0, 8)}"`
  const headers: Record<string, string> = {
    'content-type': abbreviated ? ABBREVIATED_TYPE : 'application/json',
    ...documentCacheHeaders(npm),
    etag,
    ...staleHeaders(handle.staleReason),
  }
  if (clientHasCurrent(c, etag)) return c.body(null, 304, headers)
  const body = await npm.services.store.openBlob(sha256)
  if (!body) throw new LarderError('E_STORE', `stored packument ${entry.key} lost its body`)
  if (body instanceof HeldBlob) {
    const hint = npm.packuments.hotHint(name, handle)
    if (hint) c.set('hotHint', hint)
    return sendStream(c, { headers, body: new HeldBlob(insertBaseUrlInto(body.bytes, offsets, base)) })
  }
  return sendStream(c, { headers, body: body.pipe(insertBaseUrl(offsets, base)), size: insertedLength(size, offsets, base) })
}

/** `/name/1.2.3` or `/name/latest`: one manifest; a version missing from the cached copy refreshes it once. */
export async function getVersion(c: NpmRouteContext, npm: NpmContext, name: PackageName, spec: string): Promise<Response> {
  let handle = await npm.packuments.get(name)
  let manifest = await findManifest(npm, handle, spec)
  if (!manifest && npm.packuments.mayRefresh(handle)) {
    handle = await npm.packuments.get(name, { forceRefresh: true })
    manifest = await findManifest(npm, handle, spec)
  }
  c.set('cacheResult', handle.result)
  if (!manifest) throw new LarderError('E_NOT_FOUND', `${name.full} has no version or tag "${spec}"`)
  const base = registryBase(c, npm)
  if (typeof manifest.dist?.tarball === 'string') manifest.dist.tarball = base + manifest.dist.tarball
  const body = JSON.stringify(manifest)
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`
  const headers = { 'content-type': 'application/json', ...documentCacheHeaders(npm), etag, ...staleHeaders(handle.staleReason) }
  if (clientHasCurrent(c, etag)) return c.body(null, 304, headers)
  const sized = { ...headers, 'content-length': String(Buffer.byteLength(body)) }
  if (c.req.method === 'HEAD') return c.body(null, 200, sized)
  return c.body(body, 200, sized)
}

async function findManifest(npm: NpmContext, handle: PackumentHandle, spec: string): Promise<Record<string, any> | undefined> {
  const doc = await npm.packuments.readFull(handle)
  const version = Object.hasOwn(doc.versions ?? {}, spec) ? spec : doc['dist-tags']?.[spec]
  return typeof version === 'string' && Object.hasOwn(doc.versions ?? {}, version) ? doc.versions[version] : undefined
}
