/** GET /dists/<vendor>/<name>/<version>/<reference>.<type>: private zips, else stored dists, else fetched once from the URL the metadata gives. */
import {
  GZIP_FORMAT,
  LarderError,
  XZ_FORMAT,
  ZIP_FORMAT,
  isLarderError,
  serveArtifact,
  serveHostedFile,
  type ArtifactFormat,
  type ArtifactSource,
} from '@larder/core'
import { assertDistHostAllowed } from '../dists/dist-hosts.js'
import { distRequestHeaders } from '../dists/dist-tokens.js'
import { findDist, type DistRecord } from '../metadata/dist-index.js'
import { ZIP_CONTENT_TYPE } from '../private/private-repo.js'
import type { ComposerContext, ComposerRouteContext } from './composer-context.js'

export interface DistSegments {
  name: string
  version: string
  reference: string
  type: string
}

/** Stored by package and reference: one archive per commit, whatever versions point at it. */
export const distKey = (d: DistSegments) => `composer:dist:${d.name}:${d.reference || `version-${d.version}`}.${d.type}`

const contentTypeOf = (type: string) => (type === 'zip' ? ZIP_CONTENT_TYPE : 'application/octet-stream')
/** Composer's own dist types that name one container format ('tar' may be plain or compressed). */
const formatOf = (type: string): ArtifactFormat | undefined =>
  type === 'zip' ? ZIP_FORMAT : type === 'gzip' ? GZIP_FORMAT : type === 'xz' ? XZ_FORMAT : undefined
/** Branch versions (dev-x, x.y-dev, or md5 of a name with "/") live in the ~dev file. */
const looksDev = (version: string) => version.startsWith('dev-') || version.endsWith('-dev') || /^[a-f0-9]{32}$/.test(version)

export async function getDist(c: ComposerRouteContext, composer: ComposerContext, dist: DistSegments): Promise<Response> {
  const { store } = composer.services
  const own = dist.reference ? await composer.privateRepo.distEntry(dist.name, dist.reference) : undefined
  if (own) return serveHostedFile(c, store, own, ZIP_CONTENT_TYPE)
  if (await composer.privateRepo.owns(dist.name)) {
    throw new LarderError('E_NOT_FOUND', `${dist.name} is a private package and has no dist with reference ${dist.reference || '(none)'}`)
  }
  const key = distKey(dist)
  const label = `${dist.name} ${dist.version} (${dist.type})`
  return serveArtifact(c, await composer.services.cache.artifact({ key, label, resolve: () => resolveDist(composer, dist) }), store)
}

/** Runs on a store miss only: the dist's URL and shasum from the metadata, its host checked, its token added. */
async function resolveDist(composer: ComposerContext, dist: DistSegments): Promise<ArtifactSource> {
  const record = await locateDist(composer, dist)
  // Only the URL from the metadata is checked; redirects from an allowed host are followed as sent.
  assertDistHostAllowed(composer.settings.distHosts, record.url, `${dist.name} ${record.version}`)
  return {
    url: record.url,
    headers: distRequestHeaders(composer.settings.distTokens, record.url),
    expected: record.shasum ? { sha1: record.shasum } : {},
    contentType: contentTypeOf(dist.type),
    // Code hosts' zipballs come with no shasum: checked to be a zip, a login page is never stored as one.
    format: formatOf(dist.type),
    label: `${dist.name} ${record.version} (${dist.type})`,
    meta: { package: dist.name, version: record.version, reference: record.reference },
    // With a shasum a corrupt dist gets a clean 502 instead of a cut-off body; code hosts' zipballs (no shasum) stream as they arrive.
    holdUntilVerified: Boolean(record.shasum),
  }
}

/** The dist record in the package's p2 files, refreshing a cached file once when the reference is newer than it. */
async function locateDist(composer: ComposerContext, dist: DistSegments): Promise<DistRecord> {
  const order = looksDev(dist.version) ? [true, false] : [false, true]
  let lastError: unknown
  for (const dev of order) {
    try {
      let handle = await composer.p2.get(dist.name, dev)
      let found = findDist(await composer.p2.distIndex(handle), dist.version, dist.reference, dist.type)
      if (!found && handle.result === 'HIT') {
        handle = await composer.p2.get(dist.name, dev, { forceRefresh: true })
        found = findDist(await composer.p2.distIndex(handle), dist.version, dist.reference, dist.type)
      }
      if (found) return found
    } catch (error) {
      if (!isLarderError(error, 'E_NOT_FOUND')) lastError ??= error
    }
  }
  throw (
    lastError ??
    new LarderError('E_NOT_FOUND', `${dist.name} has no ${dist.type} dist for version ${dist.version} with reference ${dist.reference || '(none)'}`)
  )
}
