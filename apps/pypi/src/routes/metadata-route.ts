/** GET of `<file url>.metadata` (PEP 658): hosted or stored copy, else upstream's verified file, else extracted from the stored wheel. */
import { LarderError, serveArtifact, serveHostedFile, type ArtifactSource, type CacheEntry } from '@larder/core'
import { metadataKey } from '../files/file-keys.js'
import { METADATA_CONTENT_TYPE, storedMetadata } from '../files/stored-metadata.js'
import type { PageFile } from '../simple/project-page.js'
import { expectedDigests, isOfflineMiss, locateFile } from './file-routes.js'
import type { PypiContext, PypiRouteContext } from './pypi-context.js'

export async function getMetadata(c: PypiRouteContext, pypi: PypiContext, project: string, segment: string, filename: string): Promise<Response> {
  const { cache, store } = pypi.services
  const own = await pypi.privateIndex.metadataEntry(project, filename)
  const ownFile = own && (await pypi.privateIndex.fileEntry(project, filename))
  if (own?.blob && ownFile?.blob === segment) return serveHostedFile(c, store, own, METADATA_CONTENT_TYPE)
  if (await pypi.privateIndex.owns(project)) throw new LarderError('E_NOT_FOUND', `${project} has no metadata file for ${filename}`)
  const label = `${project}/${filename}.metadata`
  // The page is read at most once per request: by resolve, or below when another request's miss was shared or Larder is offline.
  let located: Promise<PageFile> | undefined
  const locate = () => (located ??= locateFile(pypi, project, segment, filename))
  const resolve = async (): Promise<ArtifactSource> => {
    const file = await locate()
    if (!file.coreMetadata) throw noMetadata(filename)
    return { url: `${file.url}.metadata`, expected: file.coreMetadata === true ? {} : expectedDigests(file.coreMetadata), contentType: METADATA_CONTENT_TYPE }
  }
  let upstreamError: unknown
  try {
    return serveArtifact(c, await cache.artifact({ key: metadataKey(project, segment, filename), label, resolve }), store)
  } catch (error) {
    // Offline the upstream was never asked: what is missing is the metadata, not a connection.
    if (!isOfflineMiss(error)) upstreamError = error
  }
  // A file the page does not list fails here, with the error resolve had.
  const file = await locate()
  const onMismatch = () => pypi.services.logger.warn({ project, filename }, 'METADATA in the wheel differs from the metadata file upstream advertised')
  const extracted = await storedMetadata({ store, onMismatch }, project, segment, file)
  if (extracted) return serveStored(c, pypi, extracted)
  throw upstreamError ?? noMetadata(filename)
}

function noMetadata(filename: string): LarderError {
  return new LarderError('E_NOT_FOUND', `no metadata file for ${filename} is available`)
}

async function serveStored(c: PypiRouteContext, pypi: PypiContext, entry: CacheEntry): Promise<Response> {
  const { store, config } = pypi.services
  const body = entry.blob ? await store.openBlob(entry.blob) : undefined
  if (!body) throw new LarderError('E_STORE', `stored ${entry.key} lost its body`)
  return serveArtifact(c, { result: config.offline ? 'OFFLINE' : 'HIT', body, size: entry.size, contentType: METADATA_CONTENT_TYPE, entry }, store)
}
