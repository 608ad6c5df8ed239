/**
 * Parses the still-encoded path below /v2 into an endpoint of the distribution API. Each segment is decoded once
 * and checked against the grammar, so no encoding (%2e%2e, %2f, %252e, backslashes) gets a '..' or a '/' through.
 */
import { MAX_NAME_LENGTH, clip, digestProblem, isNameComponent, isTag } from './oci-grammar.js'
import { OciError } from '../errors/oci-error.js'

export type ManifestReference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: string }

export type OciPath =
  | { kind: 'base' }
  | { kind: 'manifest'; name: string[]; reference: ManifestReference }
  | { kind: 'blob'; name: string[]; digest: string }
  | { kind: 'tags'; name: string[] }
  /** Blob uploads: `/blobs/uploads/` starts one, `/blobs/uploads/<session>` continues it (the id is checked by the sessions). */
  | { kind: 'upload'; name: string[]; session?: string }
  | { kind: 'referrers'; name: string[]; digest: string }
  | { kind: 'catalog' }

export function parseOciPath(rawPath: string): OciPath {
  if (rawPath === '' || rawPath === '/') return { kind: 'base' }
  if (!rawPath.startsWith('/')) throw unknownEndpoint(rawPath)
  const raw = rawPath.slice(1).split('/')
  if (raw.length === 1 && raw[0] === '_catalog') return { kind: 'catalog' }
  const n = raw.length
  // Upload URLs end in /blobs/uploads/ or /blobs/uploads/<session>; the session is opaque to this parser.
  if (n >= 3 && raw[n - 2] === 'uploads' && raw[n - 3] === 'blobs') {
    const name = parseName(raw.slice(0, n - 3))
    return raw[n - 1] ? { kind: 'upload', name, session: raw[n - 1]! } : { kind: 'upload', name }
  }
  if (n >= 3 && raw[n - 1] === 'list' && raw[n - 2] === 'tags') return { kind: 'tags', name: parseName(raw.slice(0, n - 2)) }
  if (n >= 2 && raw[n - 1] === 'uploads' && raw[n - 2] === 'blobs') return { kind: 'upload', name: parseName(raw.slice(0, n - 2)) }
  if (n < 3) throw unknownEndpoint(rawPath)
  const endpoint = raw[n - 2]
  const last = decodeSegment(raw[n - 1]!)
  if (endpoint === 'manifests') return { kind: 'manifest', name: parseName(raw.slice(0, n - 2)), reference: parseReference(last) }
  if (endpoint === 'blobs') return { kind: 'blob', name: parseName(raw.slice(0, n - 2)), digest: parseDigest(last) }
  if (endpoint === 'referrers') return { kind: 'referrers', name: parseName(raw.slice(0, n - 2)), digest: parseDigest(last) }
  throw unknownEndpoint(rawPath)
}

/** The repository name's components, each decoded and checked; the whole under distribution's length limit. */
export function parseName(rawSegments: readonly string[]): string[] {
  if (rawSegments.length === 0) throw new OciError('NAME_INVALID', 'E_INVALID_NAME', 'the repository name is empty')
  const name = rawSegments.map(decodeSegment)
  for (const component of name) {
    if (!isNameComponent(component)) {
      throw new OciError('NAME_INVALID', 'E_INVALID_NAME', `invalid repository name component "${clip(component)}"`, {
        hint: 'components are lower-case letters and digits, separated by ".", "_", "__" or dashes',
      })
    }
  }
  const joined = name.join('/')
  if (joined.length > MAX_NAME_LENGTH) {
    throw new OciError('NAME_INVALID', 'E_INVALID_NAME', `the repository name is ${joined.length} characters, over the limit of ${MAX_NAME_LENGTH}`)
  }
  return name
}

export function parseReference(text: string): ManifestReference {
  if (text.includes(':')) return { kind: 'digest', digest: parseDigest(text) }
  if (!isTag(text)) {
    throw new OciError('TAG_INVALID', 'E_BAD_REQUEST', `"${clip(text)}" is not a valid tag`, {
      hint: 'a tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"',
    })
  }
  return { kind: 'tag', tag: text }
}

export function parseDigest(text: string): string {
  const problem = digestProblem(text)
  if (problem) throw new OciError('DIGEST_INVALID', 'E_BAD_REQUEST', problem)
  return text
}

/** Decodes one segment; malformed escapes are refused rather than passed on. */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new OciError('NAME_INVALID', 'E_INVALID_NAME', `"${clip(raw)}" is not a valid percent-encoded path segment`)
  }
}

function unknownEndpoint(rawPath: string): OciError {
  return new OciError('UNSUPPORTED', 'E_NOT_FOUND', `no such OCI distribution endpoint: /v2${clip(rawPath, 120)}`, {
    hint: 'pull URLs are /v2/<name>/manifests/<tag|digest>, /v2/<name>/blobs/<digest> and /v2/<name>/tags/list',
  })
}
