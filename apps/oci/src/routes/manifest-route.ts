/** GET/HEAD /v2/<name>/manifests/<tag|digest>: the stored bytes exactly, with their type, digest and length. */
import { LarderError, serveArtifact, staleHeaders } from '@larder/core'
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import type { ManifestReference } from '../names/oci-path.js'
import type { RegistryTarget } from '../registry/registry-client.js'
import type { OciContext, OciRouteContext } from './oci-context.js'

/** A tag can move: clients and proxies in between must ask again. A digest never does (serveArtifact's default). */
const TAG_CACHE_CONTROL = 'no-cache'

export async function getManifest(c: OciRouteContext, oci: OciContext, target: RegistryTarget, reference: ManifestReference): Promise<Response> {
  const served = reference.kind === 'digest' ? await oci.manifests.byDigest(target, reference.digest) : await oci.manifests.byTag(target, reference.tag)
  const { entry } = served
  const store = oci.services.store
  const body = entry.blob ? await store.openBlob(entry.blob) : undefined
  if (!body)
    throw new LarderError('E_STORE', `the stored manifest ${entry.key} lost its body`, { hint: 'run larder fsck; the next pull by tag fetches it again' })
  const headers: Record<string, string> = {
    ...API_VERSION_HEADER,
    'docker-content-digest': `sha256:${entry.blob}`,
    ...staleHeaders(served.staleReason),
    ...(reference.kind === 'tag' ? { 'cache-control': TAG_CACHE_CONTROL } : {}),
  }
  const contentType = entry.contentType ?? 'application/vnd.oci.image.manifest.v1+json'
  return serveArtifact(c, { result: served.result, body, size: entry.size, contentType, entry }, store, headers)
}
