/** The manifest media types Larder asks upstreams for and serves, and how a stored manifest's type is told. */
import { OciError } from '../errors/oci-error.js'

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'

/** Multi-platform forms first: a registry that can answer either gives the index, so every platform stays reachable. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(', ')

/** Real manifests are a few kB; distribution refuses pushes over 4 MiB, and so does Larder on the way in. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

/** RFC 6838's type/subtype, as descriptors and artifactType filters carry them. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/

export function isMediaType(text: string): boolean {
  return MEDIA_TYPE.test(text)
}

/** Signed schema 1 manifests hash differently from their bytes: their digest cannot be checked, so they are refused. */
const SCHEMA1 = /^application\/vnd\.docker\.distribution\.manifest\.v1\+(?:prettyjws|json)$/

/**
 * The type to store and serve: the upstream's Content-Type when it names a manifest type, else the document's own
 * `mediaType`, else what its shape says (registries that answer application/json). The bytes must be a schema 2
 * manifest or index whatever the header says: an empty 200 or a login page is never stored under a tag.
 */
export function manifestMediaType(label: string, contentType: string | undefined, bytes: Buffer): string {
  const header = contentType?.split(';')[0]?.trim().toLowerCase()
  if (header && SCHEMA1.test(header)) throw schema1(label)
  let document: Record<string, unknown>
  try {
    document = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
  } catch (cause) {
    throw new OciError('MANIFEST_INVALID', 'E_UPSTREAM_GARBAGE', `${label}: the upstream sent a manifest that is not JSON`, { cause })
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw notAManifest(label, 'a JSON value that is no object')
  if (document.schemaVersion === 1 || (typeof document.mediaType === 'string' && SCHEMA1.test(document.mediaType))) throw schema1(label)
  if (document.schemaVersion !== 2) throw notAManifest(label, 'a JSON object without schemaVersion 2')
  const isIndex = Array.isArray(document.manifests)
  if (!isIndex && (typeof document.config !== 'object' || document.config === null))
    throw notAManifest(label, 'neither a manifest (config) nor an index (manifests)')
  if (header && VENDOR_JSON.test(header)) return header
  if (typeof document.mediaType === 'string' && VENDOR_JSON.test(document.mediaType)) return document.mediaType
  return isIndex ? OCI_INDEX : OCI_MANIFEST
}

const VENDOR_JSON = /^application\/vnd\.[a-z0-9.+-]+\+json$/

function notAManifest(label: string, what: string): OciError {
  return new OciError('MANIFEST_INVALID', 'E_UPSTREAM_GARBAGE', `${label}: the upstream sent ${what}, not an image manifest or index`)
}

function schema1(label: string): OciError {
  return new OciError('MANIFEST_INVALID', 'E_UPSTREAM_GARBAGE', `${label}: the upstream sent a schema 1 manifest, which Larder does not mirror`, {
    hint: 'schema 1 is deprecated; push the image again with a current client',
  })
}
