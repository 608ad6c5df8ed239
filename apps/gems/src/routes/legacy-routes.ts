/** Old clients' endpoints: the Marshal spec lists and quick gemspecs, passed through and cached. */
import { LarderError, sendStream, serveArtifact, serveHostedFile, clientHasCurrent, staleHeaders } from '@larder/core'
import { stemCandidates, type LegacySpecsFile } from '../names/gem-path.js'
import type { GemsContext, GemsRouteContext } from './gems-context.js'

export const LEGACY_KEY_PREFIX = 'gems:legacy:'
export const QUICK_KEY_PREFIX = 'gems:quick:'

/** specs.4.8.gz and friends change with every release upstream: volatile, revalidated after the TTL. */
export async function getLegacySpecs(c: GemsRouteContext, gems: GemsContext, file: LegacySpecsFile): Promise<Response> {
  const fetched = await gems.services.cache.index({
    key: LEGACY_KEY_PREFIX + file,
    url: `${gems.settings.upstream}/${file}`,
    label: `/${file}`,
    process: async (body) => ({ body: await body.readBytes(), contentType: 'application/octet-stream' }),
  })
  c.set('cacheResult', fetched.result)
  const etag = `"${fetched.entry.blob}"`
  const headers = { 'content-type': 'application/octet-stream', etag, 'cache-control': 'public, max-age=60', ...staleHeaders(fetched.staleReason) }
  if (clientHasCurrent(c, etag)) return c.body(null, 304, headers)
  const body = await gems.services.cache.openEntry(fetched.entry)
  if (!body) throw new LarderError('E_STORE', `stored /${file} lost its body`)
  return sendStream(c, { headers, body, size: fetched.entry.size })
}

/** /quick/Marshal.4.8/<stem>.gemspec.rz: fixed for a released version, so cached forever. */
export async function getQuickSpec(c: GemsRouteContext, gems: GemsContext, stem: string): Promise<Response> {
  const { cache, store } = gems.services
  const own = await gems.privateGems.quickSpec(stem)
  if (own) return serveHostedFile(c, store, own, 'application/octet-stream')
  // Before the store, as a stored quick spec does not say which gem it is: a copy fetched before its name was pushed privately must not be served.
  for (const { name } of stemCandidates(stem)) {
    if (await gems.privateGems.owns(name)) throw new LarderError('E_NOT_FOUND', `${name} is a private gem and has no ${stem}`)
  }
  const artifact = await cache.artifact({
    key: QUICK_KEY_PREFIX + stem,
    label: `/quick/Marshal.4.8/${stem}.gemspec.rz`,
    resolve: async () => ({
      url: `${gems.settings.upstream}/quick/Marshal.4.8/${encodeURIComponent(stem)}.gemspec.rz`,
      contentType: 'application/octet-stream',
    }),
  })
  return serveArtifact(c, artifact, store)
}
