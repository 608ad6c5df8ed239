/**
 * A small OCI push client over fetch (or any function with fetch's shape, such as Hono's app.request): blob uploads
 * monolithic or in PATCH chunks with Content-Range, and manifest pushes, for tests that must drive what skopeo does
 * not (skopeo streams each layer in one PATCH) and look at every status on the way.
 */
import { createHash } from 'node:crypto'

export type OciRequest = (path: string, init?: RequestInit) => Promise<Response>

export interface OciPushClient {
  /** POST /v2/<name>/blobs/uploads/; returns the session's Location (a path) and the answer. */
  startUpload(name: string): Promise<{ location: string; response: Response }>
  /** PATCH a chunk; `range` is [start, end] inclusive, sent as Content-Range when given. */
  patch(location: string, bytes: Uint8Array, range?: [number, number]): Promise<Response>
  /** PUT <location>?digest=, with an optional last chunk. */
  finish(location: string, digest: string, bytes?: Uint8Array): Promise<Response>
  /** The whole blob as chunks of `chunkSize` bytes; throws with the answer's status and body on anything unexpected. */
  uploadChunked(name: string, bytes: Uint8Array, chunkSize: number): Promise<string>
  /** POST ?digest= with the whole blob. */
  uploadWhole(name: string, bytes: Uint8Array): Promise<Response>
  putManifest(name: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<Response>
}

export const sha256Of = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** `authorization` goes on every request (e.g. basicAuth('x', token)). */
export function ociPushClient(request: OciRequest, authorization?: string): OciPushClient {
  const headers = (extra: Record<string, string> = {}) => ({ ...(authorization ? { authorization } : {}), ...extra })
  const withDigest = (location: string, digest: string) => {
    const url = new URL(location, 'http://registry.invalid')
    url.searchParams.set('digest', digest)
    return `${url.pathname}${url.search}`
  }
  const expect = async (response: Response, status: number, what: string) => {
    if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${await response.text()}`)
    return response
  }
  const client: OciPushClient = {
    async startUpload(name) {
      const response = await request(`/v2/${name}/blobs/uploads/`, { method: 'POST', headers: headers({ 'content-length': '0' }) })
      return { location: response.headers.get('location') ?? '', response }
    },
    patch: (location, bytes, range) =>
      request(location, {
        method: 'PATCH',
        headers: headers({ 'content-type': 'application/octet-stream', ...(range ? { 'content-range': `${range[0]}-${range[1]}` } : {}) }),
        body: bytes,
      }),
    finish: (location, digest, bytes) =>
      request(withDigest(location, digest), {
        method: 'PUT',
        headers: headers({ 'content-type': 'application/octet-stream' }),
        body: bytes ?? new Uint8Array(),
      }),
    async uploadChunked(name, bytes, chunkSize) {
      const started = await client.startUpload(name)
      await expect(started.response, 202, 'start upload')
      let location = started.location
      for (let at = 0; at < bytes.length; at += chunkSize) {
        const end = Math.min(at + chunkSize, bytes.length) - 1
        const patched = await expect(await client.patch(location, bytes.subarray(at, end + 1), [at, end]), 202, `chunk ${at}-${end}`)
        if (patched.headers.get('range') !== `0-${end}`) throw new Error(`chunk ${at}-${end}: Range ${patched.headers.get('range')}`)
        location = patched.headers.get('location') ?? location
      }
      const digest = sha256Of(bytes)
      await expect(await client.finish(location, digest), 201, 'finish upload')
      return digest
    },
    uploadWhole: (name, bytes) =>
      request(withDigest(`/v2/${name}/blobs/uploads/`, sha256Of(bytes)), {
        method: 'POST',
        headers: headers({ 'content-type': 'application/octet-stream' }),
        body: bytes,
      }),
    putManifest: (name, reference, bytes, mediaType) =>
      request(`/v2/${name}/manifests/${reference}`, { method: 'PUT', headers: headers({ 'content-type': mediaType }), body: bytes }),
  }
  return client
}

/** HTTP Basic with the Larder token as password, as docker, podman and skopeo send a login. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}
