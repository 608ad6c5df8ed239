/** GET /v2/<hosted>/<repo>/referrers/<digest>[?artifactType=]: the manifests pushed with that subject, as an OCI image index. */
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import { OciError } from '../errors/oci-error.js'
import { listReferrers, referrersIndex } from '../hosted/referrers.js'
import { OCI_INDEX, isMediaType } from '../manifests/media-types.js'
import type { HostedTarget } from '../names/upstream-target.js'
import type { OciContext, OciRouteContext } from './oci-context.js'

export async function getReferrers(c: OciRouteContext, oci: OciContext, image: HostedTarget, subject: string): Promise<Response> {
  const artifactType = c.req.query('artifactType')
  if (artifactType !== undefined && !isMediaType(artifactType)) {
    throw new OciError('UNSUPPORTED', 'E_BAD_REQUEST', 'artifactType= is not a media type', { hint: 'e.g. artifactType=application/vnd.example.sbom.v1' })
  }
  // Never a 404: a client that gets one falls back to the referrers tag, which Larder does not keep.
  const manifests = await listReferrers(oci.services.store, image.repo, subject, artifactType)
  c.set('cacheResult', 'PRIVATE')
  const headers: Record<string, string> = { ...API_VERSION_HEADER, 'content-type': OCI_INDEX, 'cache-control': 'no-cache' }
  if (artifactType !== undefined) headers['oci-filters-applied'] = 'artifactType'
  return c.body(referrersIndex(manifests), 200, headers)
}
