/** GET /p2/<vendor>/<name>.json and ~dev.json: private packages built here, mirrored ones byte for byte, with Last-Modified. */
import { createHash } from 'node:crypto'
import { LarderError, clientHasCurrent, sendStream, staleHeaders } from '@larder/core'
import { versionSegment } from '../metadata/dist-index.js'
import { P2_CONTENT_TYPE } from '../metadata/p2-source.js'
import type { PrivatePackage } from '../private/private-repo.js'
import { appBase, notModifiedSince, type ComposerContext, type ComposerRouteContext } from './composer-context.js'

export const P2_CACHE_CONTROL = 'max-age=60, public'

const httpDate = (ms: number) => new Date(ms).toUTCString()

/** The private versions with dist URLs on this Larder (a branch file is empty: uploads are releases). */
export function privateP2(pkg: PrivatePackage, base: string, dev: boolean): string {
  const versions = dev
    ? []
    : pkg.versions.map((v) => {
        const dist = v.dist as { reference: string }
        const url = `${base}/dists/${pkg.name}/${versionSegment(String(v.version_normalized))}/${dist.reference}.zip`
        return { ...v, dist: { ...(v.dist as object), url } }
      })
  return JSON.stringify({ packages: { [pkg.name]: versions } })
}

export async function getP2(c: ComposerRouteContext, composer: ComposerContext, name: string, dev: boolean): Promise<Response> {
  const own = await composer.privateRepo.package(name)
  if (own) {
    c.set('cacheResult', 'PRIVATE')
    const body = privateP2(own.pkg, appBase(c, composer), dev)
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`
    const headers = { 'content-type': P2_CONTENT_TYPE, 'last-modified': httpDate(own.entry.fetchedAt), etag, 'cache-control': P2_CACHE_CONTROL }
    if (clientHasCurrent(c, etag) || notModifiedSince(c, headers['last-modified'])) return c.body(null, 304, headers)
    return c.body(body, 200, headers)
  }
  if (await composer.privateRepo.owns(name)) {
    throw new LarderError('E_NOT_FOUND', `${name} is a private package (LARDER_COMPOSER_PRIVATE_NAMES) and has nothing uploaded`, {
      hint: 'private packages are never taken from upstream; upload it to Larder',
    })
  }
  const handle = await composer.p2.get(name, dev)
  c.set('cacheResult', handle.result)
  const { entry } = handle
  const changedAt = typeof entry.meta?.changedAt === 'number' ? entry.meta.changedAt : entry.fetchedAt
  const headers: Record<string, string> = {
    'content-type': P2_CONTENT_TYPE,
    'last-modified': entry.lastModified ?? httpDate(changedAt),
    etag: `"${entry.blob}"`,
    'cache-control': P2_CACHE_CONTROL,
    ...staleHeaders(handle.staleReason),
  }
  if (clientHasCurrent(c, headers.etag!) || notModifiedSince(c, headers['last-modified']!)) return c.body(null, 304, headers)
  const body = await composer.services.cache.openEntry(entry)
  if (!body) throw new LarderError('E_STORE', `stored ${entry.key} lost its body`)
  return sendStream(c, { headers, body, size: entry.size })
}
