/**
 * The segments of a file path, each decoded once and checked against one small character set, so no
 * spelling of '..', '/', '\' or NUL (encoded, double-encoded, overlong UTF-8, full-width) gets through.
 */
import { LarderError } from '@larder/core'

/** Longest request path accepted after the prefix, still encoded. */
export const MAX_RAW_PATH_CHARS = 4096
/** Longest decoded path inside a repository or upstream, and its segments: what common filesystems take. */
export const MAX_PATH_BYTES = 1024
export const MAX_SEGMENT_BYTES = 255
export const MAX_DEPTH = 32

/** What a file or directory name may hold: enough for versioned tarballs and release assets, nothing a shell or a decoder reads twice. */
const SAFE_SEGMENT = /^[A-Za-z0-9._~+@=,!-]+$/
/** Repository names: as upstream names (LARDER_FILES_UPSTREAMS), lower case. */
const REPOSITORY = /^[a-z0-9][a-z0-9._-]{0,63}$/

export const PATH_RULES = 'path segments are A-Z a-z 0-9 and . _ ~ + @ = , ! - (never only dots), at most 255 bytes each, 1024 bytes and 32 segments in all'

/** Splits `a/b/c` (still encoded, no leading slash) into decoded, checked segments: at least one. */
export function decodeSegments(raw: string): [string, ...string[]] {
  if (raw.length > MAX_RAW_PATH_CHARS) throw invalid(raw, `is over ${MAX_RAW_PATH_CHARS} characters`)
  const parts = raw.split('/')
  if (parts.length > MAX_DEPTH) throw invalid(raw, `has more than ${MAX_DEPTH} segments`)
  const segments = parts.map((part) => decodeSegment(raw, part))
  if (Buffer.byteLength(segments.join('/')) > MAX_PATH_BYTES) throw invalid(raw, `is over ${MAX_PATH_BYTES} bytes`)
  return segments as [string, ...string[]]
}

/** The repository (or upstream) name: the first segment. */
export function checkRepositoryName(name: string): string {
  if (!REPOSITORY.test(name)) {
    throw new LarderError('E_INVALID_NAME', `"${preview(name)}" is not a repository name`, {
      hint: "repository names are lower case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters",
    })
  }
  return name
}

function decodeSegment(raw: string, part: string): string {
  if (part === '') throw invalid(raw, 'has an empty segment (//)')
  let decoded: string
  try {
    decoded = decodeURIComponent(part)
  } catch {
    throw invalid(raw, 'is not valid percent-encoded UTF-8')
  }
  const problem = segmentProblem(decoded)
  if (problem) throw invalid(raw, `has ${problem}`)
  if (Buffer.byteLength(decoded) > MAX_SEGMENT_BYTES) throw invalid(raw, `has a segment over ${MAX_SEGMENT_BYTES} bytes`)
  return decoded
}

/** The first rule a decoded segment breaks, named for the error; the specific ones first, so the message says what was seen. */
function segmentProblem(decoded: string): string | undefined {
  if (decoded.includes('\0')) return 'a NUL byte'
  if (decoded.includes('/')) return "an encoded '/' (%2f)"
  if (decoded.includes('\\')) return 'a backslash'
  if (/^\.+$/.test(decoded)) return `a '${decoded.slice(0, 8)}' segment`
  if (/[\x00-\x1f\x7f]/.test(decoded)) return 'a control character'
  // Decoded once, a '%' is left only by double encoding (%252e): whatever decodes it again would see a different path.
  if (decoded.includes('%')) return "a '%' (double encoding)"
  if (!SAFE_SEGMENT.test(decoded)) return 'a character outside A-Z a-z 0-9 . _ ~ + @ = , ! -'
  return undefined
}

function invalid(raw: string, what: string): LarderError {
  return new LarderError('E_INVALID_NAME', `the path "${preview(raw)}" ${what}`, { hint: PATH_RULES })
}

/** Enough of a hostile input to recognise it, never all of it. */
export function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text
}
