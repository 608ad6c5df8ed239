/**
 * The distribution grammar for repository names, tags and digests (distribution/reference, 2.8), checked on
 * decoded path segments: none of them can hold '/', '.' or '..' alone, '%' or '\', so a name that passes
 * can never climb out of a key or a folder.
 */

/** One path component of a repository name: `[a-z0-9]+` joined by `.`, `_`, `__` or any run of `-`. */
const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
/** Any digest the grammar allows (`algorithm:encoded`); only sha256 is served. */
const ANY_DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Za-z=_-]+$/
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/

/** distribution's NameTotalLengthMax. */
export const MAX_NAME_LENGTH = 255

export function isNameComponent(text: string): boolean {
  return NAME_COMPONENT.test(text)
}

export function isTag(text: string): boolean {
  return TAG.test(text)
}

/** A digest Larder serves: sha256 with 64 lower-case hex digits. */
export function isSha256Digest(text: string): boolean {
  return SHA256_DIGEST.test(text)
}

/** Why a reference that looks like a digest is not one Larder serves, or undefined when it is. */
export function digestProblem(text: string): string | undefined {
  if (isSha256Digest(text)) return undefined
  if (!ANY_DIGEST.test(text)) return `"${clip(text)}" is not a digest (algorithm:hex)`
  const algorithm = text.slice(0, text.indexOf(':'))
  if (algorithm !== 'sha256') return `digest algorithm "${clip(algorithm)}" is not supported: only sha256`
  return 'a sha256 digest has 64 lower-case hex digits'
}

/** The hex part of a sha256 digest. */
export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length)
}

/** Keeps what a client sent short in messages and log lines. */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}...` : text
}
