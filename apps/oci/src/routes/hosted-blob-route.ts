/** Blobs of hosted repositories: GET/HEAD with Range and ETag, DELETE (the repository stops holding it). */
import { serveHostedFile } from '@larder/core'
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import { OciError } from '../errors/oci-error.js'
import type { HostedTarget } from '../names/upstream-target.js'
import type { OciContext, OciRouteContext } from './oci-context.js'

export async function getHostedBlob(c: OciRouteContext, oci: OciContext, image: HostedTarget, digest: string): Promise<Response> {
  const entry = await oci.repos.blob(image.repo, digest)
  if (!entry) throw unknownBlob(image, digest)
  return serveHostedFile(c, oci.services.store, entry, entry.contentType, { ...API_VERSION_HEADER, 'docker-content-digest': digest })
}

export async function deleteHostedBlob(c: OciRouteContext, oci: OciContext, image: HostedTarget, digest: string): Promise<Response> {
  const removed = await oci.repos.change(image.repo, () => oci.repos.unlinkBlob(image.repo, digest))
  if (!removed) throw unknownBlob(image, digest)
  oci.services.logger.info({ app: 'oci', image: image.clientName, digest }, 'blob deleted')
  c.set('cacheResult', 'PRIVATE')
  return c.body(null, 202, API_VERSION_HEADER)
}

function unknownBlob(image: HostedTarget, digest: string): OciError {
  return new OciError('BLOB_UNKNOWN', 'E_NOT_FOUND', `blob ${digest} is not in ${image.clientName}`, { cacheResult: 'PRIVATE' })
}
