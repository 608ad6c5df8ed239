/** Fetches one manifest from an upstream registry: size-limited, hashed, checked against the digest asked for and the one the registry states. */
import { createHash } from 'node:crypto'
import { LarderError, isLarderError, readAll } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import type { RegistryClient, RegistryTarget } from '../registry/registry-client.js'
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, manifestMediaType } from './media-types.js'

export interface FetchedManifest {
  bytes: Buffer
  /** sha256:<hex> of the bytes. */
  digest: string
  mediaType: string
}

/** `reference` is a tag or a digest; for a digest the bytes must hash to it. */
export async function fetchManifest(client: RegistryClient, target: RegistryTarget, reference: string): Promise<FetchedManifest> {
  const label = `${target.upstream}/${target.repo}:${reference}`
  const { response } = await client.send(target, { path: manifestPath(target, reference), headers: { accept: MANIFEST_ACCEPT } })
  if (response.status !== 200) {
    response.body.resume()
    throw statusError(label, response.status)
  }
  const announced = Number(response.headers['content-length'])
  if (Number.isFinite(announced) && announced > MAX_MANIFEST_BYTES) {
    response.body.destroy()
    throw tooLarge(label, announced)
  }
  const bytes = await readAll(response.body, MAX_MANIFEST_BYTES, `manifest ${label}`).catch((err: unknown) => {
    throw isLarderError(err, 'E_TOO_LARGE') ? tooLarge(label) : err
  })
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  if (reference.includes(':') && digest !== reference) throw mismatch(label, digest, 'the digest asked for')
  const stated = response.headers['docker-content-digest']
  if (stated?.startsWith('sha256:') && stated !== digest) throw mismatch(label, digest, `its Docker-Content-Digest ${stated}`)
  return { bytes, digest, mediaType: manifestMediaType(label, response.headers['content-type'], bytes) }
}

/** The digest the registry serves for a tag now, from a HEAD (which Docker Hub does not count against its pull limit). */
export async function headManifestDigest(client: RegistryClient, target: RegistryTarget, tag: string): Promise<string | undefined> {
  const { response } = await client.send(target, { method: 'HEAD', path: manifestPath(target, tag), headers: { accept: MANIFEST_ACCEPT } })
  response.body.resume()
  if (response.status === 429) throw statusError(`${target.upstream}/${target.repo}:${tag}`, response.status)
  // Registries that answer HEAD with 404 or 405 while GET works: the GET settles it (undefined sends the caller there).
  if (response.status !== 200) return undefined
  const digest = response.headers['docker-content-digest']
  return digest && /^sha256:[a-f0-9]{64}$/.test(digest) ? digest : undefined
}

function manifestPath(target: RegistryTarget, reference: string): string {
  return `/v2/${target.repo}/manifests/${reference}`
}

export function statusError(label: string, status: number): LarderError {
  if (status === 404 || status === 410)
    return new OciError('MANIFEST_UNKNOWN', 'E_NOT_FOUND', `manifest ${label} is not on the upstream (${status})`, { cacheResult: 'MISS' })
  if (status === 429) {
    return new OciError('TOOMANYREQUESTS', 'E_UPSTREAM_STATUS', `upstream rate limit reached fetching manifest ${label} (429)`, {
      hint: 'Docker Hub limits anonymous pulls: set a login in LARDER_OCI_CREDENTIALS, or wait',
      status: 429,
    })
  }
  return new LarderError('E_UPSTREAM_STATUS', `manifest ${label}: upstream answered ${status}`, { upstreamStatus: status })
}

function tooLarge(label: string, size?: number): OciError {
  const what = size === undefined ? 'over' : `${size} bytes, over`
  return new OciError('MANIFEST_INVALID', 'E_UPSTREAM_GARBAGE', `manifest ${label} is ${what} the limit of ${MAX_MANIFEST_BYTES} bytes`)
}

function mismatch(label: string, digest: string, what: string): LarderError {
  return new LarderError('E_INTEGRITY', `manifest ${label}: its bytes hash to ${digest}, not ${what}`, {
    hint: 'the upstream sent bytes that do not match; nothing was stored, retry later',
  })
}
