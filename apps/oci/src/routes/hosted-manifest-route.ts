/** Manifests of hosted repositories: GET/HEAD as pushed (bytes, type, digest), PUT to push one, DELETE by digest or tag. */
import { isLarderError, readLimitedBody, serveHostedFile } from '@larder/core'
import { API_VERSION_HEADER } from '../errors/oci-error-body.js'
import { OciError } from '../errors/oci-error.js'
import { deleteManifest, deleteTag, pushManifest } from '../hosted/manifest-push.js'
import { MAX_MANIFEST_BYTES } from '../manifests/media-types.js'
import { parsePushedManifest } from '../manifests/pushed-manifest.js'
import type { ManifestReference } from '../names/oci-path.js'
import type { HostedTarget } from '../names/upstream-target.js'
import type { OciContext, OciRouteContext } from './oci-context.js'

export async function getHostedManifest(c: OciRouteContext, oci: OciContext, image: HostedTarget, reference: ManifestReference): Promise<Response> {
  const byTag = reference.kind === 'tag'
  const entry = byTag ? await oci.repos.manifestByTag(image.repo, reference.tag) : await oci.repos.manifest(image.repo, reference.digest)
  if (!entry) {
    const what = byTag ? `${image.clientName}:${reference.tag}` : `${image.clientName}@${reference.digest}`
    throw new OciError('MANIFEST_UNKNOWN', 'E_NOT_FOUND', `manifest ${what} was never pushed to Larder`, { cacheResult: 'PRIVATE' })
  }
  const headers: Record<string, string> = { ...API_VERSION_HEADER, 'docker-content-digest': `sha256:${entry.blob}` }
  // A tag can move: caches between must ask again. A digest never does (serveArtifact's immutable default).
  if (byTag) headers['cache-control'] = 'no-cache'
  return serveHostedFile(c, oci.services.store, entry, entry.contentType, headers)
}

export async function putHostedManifest(c: OciRouteContext, oci: OciContext, image: HostedTarget, reference: ManifestReference): Promise<Response> {
  const shown = reference.kind === 'tag' ? `${image.clientName}:${reference.tag}` : `${image.clientName}@${reference.digest}`
  const label = `the manifest pushed as ${shown}`
  const bytes = await readManifestBody(c.req.raw, label)
  const manifest = parsePushedManifest(bytes, c.req.header('content-type'), label)
  const by = actorName(c, oci)
  const digest = await pushManifest(oci.repos, oci.settings.immutableTags, { repo: image.repo, reference, bytes, manifest, shownAs: image.clientName, by })
  oci.services.logger.info({ app: 'oci', image: image.clientName, reference: reference.kind === 'tag' ? reference.tag : digest, digest }, 'manifest pushed')
  c.set('cacheResult', 'PRIVATE')
  const headers: Record<string, string> = {
    ...API_VERSION_HEADER,
    location: `/v2/${image.clientName}/manifests/${digest}`,
    'docker-content-digest': digest,
  }
  // Tells the client Larder keeps the referrers list itself, so it need not push the referrers tag.
  if (manifest.subject) headers['oci-subject'] = manifest.subject.digest
  return c.body(null, 201, headers)
}

export async function deleteHostedManifest(c: OciRouteContext, oci: OciContext, image: HostedTarget, reference: ManifestReference): Promise<Response> {
  const { repos, settings } = oci
  const actor = { shownAs: image.clientName, by: actorName(c, oci) }
  if (reference.kind === 'digest') await deleteManifest(repos, settings.immutableTags, image.repo, reference.digest, actor)
  else await deleteTag(repos, settings.immutableTags, image.repo, reference.tag, actor)
  const what = reference.kind === 'digest' ? reference.digest : reference.tag
  oci.services.logger.info({ app: 'oci', image: image.clientName, reference: what }, 'manifest deleted')
  c.set('cacheResult', 'PRIVATE')
  return c.body(null, 202, API_VERSION_HEADER)
}

/** The token's name (the edge has already checked it may write). */
function actorName(c: OciRouteContext, oci: OciContext): string {
  return oci.services.tokens.authenticate(c.req.header('authorization'))?.name ?? 'anonymous'
}

/** The body within the manifest limit (413 over it), and whole: a body cut short is refused, never parsed. */
async function readManifestBody(request: Request, label: string): Promise<Buffer> {
  let bytes: Buffer
  try {
    bytes = await readLimitedBody(request, MAX_MANIFEST_BYTES, label)
  } catch (err) {
    if (isLarderError(err, 'E_TOO_LARGE')) throw new OciError('MANIFEST_INVALID', 'E_TOO_LARGE', err.message, { hint: 'Larder takes manifests up to 4 MiB' })
    throw new OciError('MANIFEST_INVALID', 'E_BAD_REQUEST', `${label} was cut short (${(err as Error).message})`, { cause: err })
  }
  const declared = request.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) !== bytes.length) {
    throw new OciError('MANIFEST_INVALID', 'E_BAD_REQUEST', `${label} was cut short: ${bytes.length} of the ${declared} bytes announced arrived`)
  }
  return bytes
}
