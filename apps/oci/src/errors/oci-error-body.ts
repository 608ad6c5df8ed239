/** Renders every error of the OCI mirror as the distribution spec's `{"errors":[{code,message,detail}]}`, with the status and headers clients expect. */
import type { Context } from 'hono'
import type { LarderEnv, LarderError } from '@larder/core'
import { OciError, type OciErrorCode } from './oci-error.js'

export const API_VERSION_HEADER = { 'docker-distribution-api-version': 'registry/2.0' }
/** docker, podman and skopeo send their login only after a challenge; Larder tokens go as the Basic password. */
export const BASIC_CHALLENGE = 'Basic realm="Larder"'

type Subject = 'manifest' | 'blob' | 'other'

export function renderOciError(c: Context<LarderEnv>, error: LarderError): Response {
  const subject = subjectOf(new URL(c.req.url).pathname)
  // An upstream's 403 is its refusal to share this repository: DENIED, which clients do not retry, not a 502.
  const denied = !(error instanceof OciError) && error.code === 'E_UPSTREAM_STATUS' && error.upstreamStatus === 403
  const code = error instanceof OciError ? error.ociCode : denied ? 'DENIED' : ociCodeOf(error, subject)
  // An offline miss is a plain "unknown" to the client: there is nothing to retry until Larder goes online.
  const status = !(error instanceof OciError) && error.code === 'E_OFFLINE_MISS' ? 404 : denied ? 403 : error.status
  const headers: Record<string, string> = { ...API_VERSION_HEADER, ...error.headers }
  if (status === 401) headers['www-authenticate'] = BASIC_CHALLENGE
  const detail: Record<string, string> = { larder: error.code }
  if (error.hint) detail.hint = error.hint
  return c.json({ errors: [{ code, message: error.message, detail }] }, status as 400, headers)
}

function subjectOf(pathname: string): Subject {
  if (/\/manifests\/[^/]*$/.test(pathname)) return 'manifest'
  if (/\/blobs\/[^/]*$/.test(pathname)) return 'blob'
  return 'other'
}

/** The OCI code of an error raised outside the OCI code (the edge's token check, the core's caches). */
export function ociCodeOf(error: LarderError, subject: Subject): OciErrorCode {
  switch (error.code) {
    case 'E_UNAUTHORIZED':
      return 'UNAUTHORIZED'
    case 'E_FORBIDDEN':
      return 'DENIED'
    case 'E_METHOD_NOT_ALLOWED':
    case 'E_NOT_ACCEPTABLE':
    case 'E_UNSUPPORTED_MEDIA':
      return 'UNSUPPORTED'
    case 'E_INVALID_NAME':
      return 'NAME_INVALID'
    case 'E_TOO_LARGE':
      return 'SIZE_INVALID'
    case 'E_NOT_FOUND':
    case 'E_OFFLINE_MISS':
      return subject === 'manifest' ? 'MANIFEST_UNKNOWN' : subject === 'blob' ? 'BLOB_UNKNOWN' : 'NAME_UNKNOWN'
    default:
      return error.isUpstreamFailure || error.status === 503 || error.status === 504 ? 'UNAVAILABLE' : 'UNKNOWN'
  }
}
