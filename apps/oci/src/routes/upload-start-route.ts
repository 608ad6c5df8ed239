/**
 * POST /v2/<hosted>/<repo>/blobs/uploads/: a cross-repository mount (`?mount=&from=`, 201 when it can be had),
 * a whole blob in one request (`?digest=`, 201), or a new upload session (202 with where to send the bytes).
 */
import { discardSpooledFile, readRawUpload } from '@larder/core'
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import { OciError } from '../errors/oci-error.js'
import { mountBlob } from '../hosted/blob-mount.js'
import { digestHex } from '../names/oci-grammar.js'
import { parseDigest } from '../names/oci-path.js'
import type { HostedTarget } from '../names/upstream-target.js'
import { sessionHeaders } from '../uploads/upload-headers.js'
import type { OciContext, OciRouteContext } from './oci-context.js'

export async function startUpload(c: OciRouteContext, oci: OciContext, image: HostedTarget): Promise<Response> {
  c.set('cacheResult', 'PRIVATE')
  const mount = c.req.query('mount')
  if (mount !== undefined) {
    const digest = parseDigest(mount)
    if (await mountBlob(oci.repos, oci.settings, image.repo, digest, c.req.query('from'))) return blobCreated(c, image, digest)
    // Not mountable: the spec's answer is a session, and the client uploads the blob.
  }
  const digest = c.req.query('digest')
  if (digest !== undefined) return uploadWhole(c, oci, image, parseDigest(digest))
  const session = await oci.uploads.start(image.repo)
  return c.body(null, 202, sessionHeaders(image.clientName, session))
}

/** The blob as the body of the POST: spooled and hashed, stored only if it hashes to the digest. */
async function uploadWhole(c: OciRouteContext, oci: OciContext, image: HostedTarget, digest: string): Promise<Response> {
  const { config, store } = oci.services
  const label = `the blob ${digest} pushed to ${image.clientName}`
  const file = await readRawUpload(c.req.raw, { spoolDir: store.spoolDir, maxBytes: config.maxUploadBytes, label })
  try {
    if (file.sha256 !== digestHex(digest)) throw digestMismatch(label, `sha256:${file.sha256}`)
    await oci.repos.addBlob(image.repo, digest, file)
  } finally {
    // Gone already if the store took it.
    await discardSpooledFile(file)
  }
  return blobCreated(c, image, digest)
}

export function blobCreated(c: OciRouteContext, image: HostedTarget, digest: string): Response {
  return c.body(null, 201, { ...API_VERSION_HEADER, location: `/v2/${image.clientName}/blobs/${digest}`, 'docker-content-digest': digest })
}

export function digestMismatch(label: string, actual: string): OciError {
  return new OciError('DIGEST_INVALID', 'E_BAD_REQUEST', `${label} hashes to ${actual}: nothing was stored`, {
    hint: 'the bytes changed on the way or the digest is wrong; push the blob again',
  })
}
