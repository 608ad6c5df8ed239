/**
 * An upload session, /v2/<hosted>/<repo>/blobs/uploads/<id>: PATCH appends a chunk (in order, else 416), PUT
 * ?digest= appends the last one if any and finishes, storing the blob only if all its bytes hash to the digest;
 * GET says how far it got, DELETE cancels it.
 */
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import { OciError } from '../errors/oci-error.js'
import { parseDigest } from '../names/oci-path.js'
import type { HostedTarget } from '../names/upstream-target.js'
import { outOfOrder, parseChunkRange, sessionHeaders } from '../uploads/upload-headers.js'
import type { OpenUpload } from '../uploads/upload-types.js'
import type { OciContext, OciRouteContext } from './oci-context.js'
import { blobCreated, digestMismatch } from './upload-start-route.js'

export function uploadStatus(c: OciRouteContext, oci: OciContext, image: HostedTarget, id: string): Promise<Response> {
  return oci.uploads.run(image.repo, id, async (session) => c.body(null, 204, sessionHeaders(image.clientName, session)))
}

export function patchUpload(c: OciRouteContext, oci: OciContext, image: HostedTarget, id: string): Promise<Response> {
  return oci.uploads.run(image.repo, id, async (session) => {
    await appendChunk(c, oci, image, session)
    return c.body(null, 202, sessionHeaders(image.clientName, session))
  })
}

export async function finishUpload(c: OciRouteContext, oci: OciContext, image: HostedTarget, id: string): Promise<Response> {
  const query = c.req.query('digest')
  if (query === undefined) throw new OciError('DIGEST_INVALID', 'E_BAD_REQUEST', 'finishing an upload needs ?digest=<digest of the whole blob>')
  const digest = parseDigest(query)
  return oci.uploads.run(image.repo, id, async (session) => {
    await appendChunk(c, oci, image, session)
    try {
      const done = await session.complete()
      if (done.digest !== digest) throw digestMismatch(`the blob uploaded to ${image.clientName} as ${digest}`, done.digest)
      await oci.repos.addBlob(image.repo, digest, done)
    } finally {
      // Stored or refused, the session is over: the store took the file, or it is deleted.
      await oci.uploads.close(session)
    }
    return blobCreated(c, image, digest)
  })
}

export function cancelUpload(c: OciRouteContext, oci: OciContext, image: HostedTarget, id: string): Promise<Response> {
  return oci.uploads.run(image.repo, id, async (session) => {
    await oci.uploads.close(session)
    return c.body(null, 204, API_VERSION_HEADER)
  })
}

/** The request body, if any, appended where the upload stands; a Content-Range must start exactly there. */
async function appendChunk(c: OciRouteContext, oci: OciContext, image: HostedTarget, session: OpenUpload): Promise<void> {
  c.set('cacheResult', 'PRIVATE')
  const range = parseChunkRange(c.req.header('content-range'))
  const declared = c.req.header('content-length')
  const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined
  if (range) {
    if (range.start !== session.size) throw outOfOrder(image.clientName, session, range)
    if (length !== undefined && length !== range.end - range.start + 1) {
      throw new OciError('BLOB_UPLOAD_INVALID', 'E_BAD_REQUEST', `Content-Range ${range.start}-${range.end} and Content-Length ${length} disagree`)
    }
  }
  const expected = range ? range.end - range.start + 1 : length
  const label = `the upload to ${image.clientName}`
  const limits = { maxBytes: oci.services.config.maxUploadBytes, ...(expected !== undefined ? { length: expected } : {}) }
  await session.append(c.req.raw.body, limits, label)
}
