/**
 * Reads a manifest a client pushes: within the 4 MiB limit, through core's limited JSON, one of the four manifest
 * types Larder serves, with well-formed sha256 descriptors. What it names (config, layers, an index's manifests) is
 * returned for the push to check against what the repository holds; the bytes themselves are kept as sent.
 */
import { isLarderError, parseLimitedJsonObject } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import { clip, isSha256Digest } from '../names/oci-grammar.js'
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, MAX_MANIFEST_BYTES, OCI_INDEX, OCI_MANIFEST, isMediaType } from './media-types.js'

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
}

export interface PushedManifest {
  mediaType: string
  /** Config and layers: blobs the repository must hold (foreign layers, fetched from their own URLs, excepted). */
  blobs: Descriptor[]
  /** An index's entries: manifests the repository must hold. */
  manifests: Descriptor[]
  /** OCI 1.1: the manifest this one refers to (a signature, an SBOM). */
  subject?: Descriptor
  /** What a referrers list says this manifest is: its artifactType, else an image's config type. */
  artifactType?: string
  annotations?: Record<string, string>
}

const IMAGE_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST])
const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST])
/** Windows base layers: the registry never holds them, the client fetches them from their `urls`. */
const FOREIGN_LAYER = /foreign|nondistributable/

export function parsePushedManifest(bytes: Buffer, contentType: string | undefined, label: string): PushedManifest {
  let document: Record<string, unknown>
  try {
    document = parseLimitedJsonObject(bytes, { label, maxBytes: MAX_MANIFEST_BYTES })
  } catch (err) {
    if (!isLarderError(err)) throw err
    throw new OciError('MANIFEST_INVALID', err.code, err.message, { cause: err, status: err.status })
  }
  const mediaType = typeOf(document, contentType, label)
  if (document.schemaVersion !== 2) throw invalid(label, 'schemaVersion must be 2 (schema 1 manifests are not accepted)')
  const subject = document.subject === undefined ? undefined : descriptor(document.subject, `${label}: subject`)
  const annotations = stringMap(document.annotations, `${label}: annotations`)
  const declaredArtifact = optionalMediaType(document.artifactType, `${label}: artifactType`)
  const common = { mediaType, ...(subject ? { subject } : {}), ...(annotations ? { annotations } : {}) }
  if (INDEX_TYPES.has(mediaType)) {
    const manifests = list(document.manifests, `${label}: manifests`)
    return { ...common, blobs: [], manifests, ...(declaredArtifact ? { artifactType: declaredArtifact } : {}) }
  }
  const config = descriptor(document.config, `${label}: config`)
  const layers = list(document.layers, `${label}: layers`)
  const held = layers.filter((layer, i) => !(FOREIGN_LAYER.test(layer.mediaType) && hasUrls((document.layers as unknown[])[i])))
  return { ...common, blobs: [config, ...held], manifests: [], artifactType: declaredArtifact ?? config.mediaType }
}

/** The Content-Type as sent when it names a manifest type, else the document's own mediaType; the two must agree. */
function typeOf(document: Record<string, unknown>, contentType: string | undefined, label: string): string {
  const header = contentType?.split(';')[0]?.trim().toLowerCase()
  const declared = document.mediaType
  if (declared !== undefined && typeof declared !== 'string') throw invalid(label, 'mediaType is not a string')
  const known = (type: string | undefined) => type !== undefined && (IMAGE_TYPES.has(type) || INDEX_TYPES.has(type))
  if (known(header) && declared !== undefined && declared !== header) {
    throw invalid(label, `it is sent as ${header} but says it is ${clip(declared)}`)
  }
  const type = known(header) ? header! : (declared ?? (Array.isArray(document.manifests) ? OCI_INDEX : OCI_MANIFEST))
  if (!known(type)) {
    throw new OciError('MANIFEST_INVALID', 'E_UNSUPPORTED_MEDIA', `${label}: ${clip(type)} is not a manifest type Larder hosts`, {
      hint: `push ${[...IMAGE_TYPES, ...INDEX_TYPES].join(', ')}`,
      status: 400,
    })
  }
  return type
}

function list(value: unknown, what: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(what, 'is not a list')
  return value.map((item, i) => descriptor(item, `${what}[${i}]`))
}

function descriptor(value: unknown, what: string): Descriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(what, 'is not a descriptor')
  const { mediaType, digest, size } = value as Record<string, unknown>
  if (typeof mediaType !== 'string' || !isMediaType(mediaType)) throw invalid(what, 'has no valid mediaType')
  if (typeof digest !== 'string' || !isSha256Digest(digest)) {
    const shown = typeof digest === 'string' ? ` "${clip(digest)}"` : ''
    throw invalid(what, `digest${shown} is not sha256 with 64 lower-case hex digits (the only digest Larder verifies)`)
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(what, 'has no valid size')
  return { mediaType, digest, size }
}

function optionalMediaType(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !isMediaType(value)) throw invalid(what, 'is not a media type')
  return value
}

function stringMap(value: unknown, what: string): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw invalid(what, 'is not a map of strings')
  }
  return { ...(value as Record<string, string>) }
}

function hasUrls(layer: unknown): boolean {
  const urls = (layer as { urls?: unknown }).urls
  return Array.isArray(urls) && urls.length > 0
}

function invalid(what: string, problem: string): OciError {
  return new OciError('MANIFEST_INVALID', 'E_BAD_REQUEST', `${what} ${problem}`)
}
