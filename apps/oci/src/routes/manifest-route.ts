/** GET/HEAD /v2/<name>/manifests/<tag|digest>: the stored bytes exactly, with their type, digest and length. */
import { LarderError, readAll, serveArtifact, staleHeaders } from '@larder/core'
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import { OciError } from '../errors/oci-error.js'
import { decideAccept } from '../manifests/accept.js'
import { MAX_MANIFEST_BYTES } from '../manifests/media-types.js'
import type { ManifestReference } from '../names/oci-path.js'
import type { RegistryTarget } from '../registry/registry-client.js'
import type { OciContext, OciRouteContext } from './oci-context.js'

/** A tag can move: clients and proxies in between must ask again. A digest never does (serveArtifact's default). */
const TAG_CACHE_CONTROL = 'no-cache'

/** `asTag`: answering a request by tag (also when it is served one platform's manifest by digest), so no-cache. */
export async function getManifest(
  c: OciRouteContext,
  oci: OciContext,
  target: RegistryTarget,
  reference: ManifestReference,
  asTag = reference.kind === 'tag',
): Promise<Response> {
  const served = reference.kind === 'digest' ? await oci.manifests.byDigest(target, reference.digest) : await oci.manifests.byTag(target, reference.tag)
  const { entry } = served
  const store = oci.services.store
  const open = async () => {
    const body = entry.blob ? await store.openBlob(entry.blob) : undefined
    if (!body)
      throw new LarderError('E_STORE', `the stored manifest ${entry.key} lost its body`, { hint: 'run larder fsck; the next pull by tag fetches it again' })
    return body
  }
  const contentType = entry.contentType ?? 'application/vnd.oci.image.manifest.v1+json'
  const accept = await decideAccept(c.req.header('accept'), contentType, async () => readAll(await open(), MAX_MANIFEST_BYTES, `manifest ${entry.key}`))
  if (accept.kind === 'platform' && reference.kind === 'tag') return getManifest(c, oci, target, { kind: 'digest', digest: accept.digest }, true)
  if (accept.kind !== 'serve') {
    throw new OciError(
      'MANIFEST_UNKNOWN',
      'E_NOT_FOUND',
      `the manifest is a ${contentType}, which this client does not accept (${accept.kind === 'refuse' ? accept.accepted.join(', ') : 'by digest'})`,
      {
        hint: 'pull it with a client that accepts image indexes, or by the digest of one platform',
      },
    )
  }
  const body = await open()
  const headers: Record<string, string> = {
    ...API_VERSION_HEADER,
    'docker-content-digest': `sha256:${entry.blob}`,
    ...staleHeaders(served.staleReason),
    ...(asTag ? { 'cache-control': TAG_CACHE_CONTROL } : {}),
  }
  return serveArtifact(c, { result: served.result, body, size: entry.size, contentType, entry }, store, headers)
}
