/** GET/HEAD /v2/<name>/blobs/<digest>: from the store with Range and ETag, or streamed while it is fetched and verified. */
import { serveArtifact } from '@larder/core'
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import type { RegistryTarget } from '../registry/registry-client.js'
import type { OciContext, OciRouteContext } from './oci-context.js'

export async function getBlob(c: OciRouteContext, oci: OciContext, target: RegistryTarget, digest: string): Promise<Response> {
  // A HEAD of a blob not yet cached starts the fill too: a pull that asks HEAD first asks GET next.
  const artifact = await oci.blobs.open(target, digest)
  return serveArtifact(c, artifact, oci.services.store, { ...API_VERSION_HEADER, 'docker-content-digest': digest })
}
