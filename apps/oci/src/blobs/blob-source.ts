/**
 * Blobs through the artifact cache: content-addressed, verified against their digest while they spool, streamed to
 * the first client, coalesced across clients. On a miss a HEAD through the token dance finds out whether the
 * upstream has the blob and authorizes the fetch; the artifact cache then follows any redirect to a CDN, and drops
 * our Authorization header when the redirect leaves the registry's origin.
 */
import type { ArtifactResponse, ArtifactSource, LarderServices } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import { blobKey } from '../keys/oci-keys.js'
import { digestHex } from '../names/oci-grammar.js'
import type { RegistryClient, RegistryTarget } from '../registry/registry-client.js'

export const BLOB_CONTENT_TYPE = 'application/octet-stream'

export class BlobSource {
  constructor(
    private readonly services: LarderServices,
    private readonly client: RegistryClient,
  ) {}

  open(target: RegistryTarget, digest: string): Promise<ArtifactResponse> {
    const label = `blob ${target.upstream}/${target.repo}@${digest}`
    return this.services.cache.artifact({ key: blobKey(target.upstream, digest), label, resolve: () => this.locate(target, digest, label) })
  }

  private async locate(target: RegistryTarget, digest: string, label: string): Promise<ArtifactSource> {
    const path = `/v2/${target.repo}/blobs/${digest}`
    const { response, authorization } = await this.client.send(target, { method: 'HEAD', path })
    response.body.resume()
    if (response.status === 404 || response.status === 410) {
      throw new OciError('BLOB_UNKNOWN', 'E_NOT_FOUND', `${label} is not on the upstream (${response.status})`, { cacheResult: 'MISS' })
    }
    if (response.status === 429) {
      throw new OciError('TOOMANYREQUESTS', 'E_UPSTREAM_STATUS', `upstream rate limit reached fetching ${label} (429)`, { status: 429 })
    }
    // Anything else (a CDN that signs its URLs for GET only answers a HEAD 403) is for the GET to settle.
    const length = response.status === 200 ? Number(response.headers['content-length']) : Number.NaN
    return {
      url: `${target.baseUrl}${path}`,
      headers: authorization,
      expected: { sha256: digestHex(digest) },
      ...(Number.isSafeInteger(length) && length >= 0 ? { expectedSize: length } : {}),
      contentType: BLOB_CONTENT_TYPE,
      meta: { upstream: target.upstream, repo: target.repo, digest },
      label,
    }
  }
}
