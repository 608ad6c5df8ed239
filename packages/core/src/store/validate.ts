/** Argument checks shared by every store backend, so they all refuse the same inputs with E_STORE. */
import { createHash } from 'node:crypto'
import { LarderError } from '../errors/larder-error.js'
import type { BlobInfo, ByteRange } from './types.js'

/** What the part of a key before its first ':' must look like; disk backends use it as a folder name. */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/

/** A blob address: lowercase hex sha256. Anything else could be a path, so it is refused. */
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/

/** The namespace of a key (the part before the first ':'), checked against NAMESPACE_PATTERN. */
export function namespaceOf(key: string): string {
  if (typeof key !== 'string') throw new LarderError('E_STORE', 'cache key must be a string')
  const colon = key.indexOf(':')
  const namespace = colon === -1 ? '' : key.slice(0, colon)
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new LarderError('E_STORE', `cache key has no valid namespace: ${JSON.stringify(key.slice(0, 80))}`, {
      hint: 'keys look like "<namespace>:<anything>" with a namespace of lowercase letters, digits and dashes',
    })
  }
  return namespace
}

/** Checks a listEntries prefix: it must name its namespace, so a listing never spans namespaces. */
/** The namespace a listing prefix names; undefined for '' (every entry of the store). */
export function namespaceOfPrefix(prefix: string): string | undefined {
  if (prefix === '') return undefined
  if (typeof prefix !== 'string' || !prefix.includes(':')) {
    throw new LarderError('E_STORE', 'listEntries prefix must be empty (every key) or include the namespace and its ":"')
  }
  return namespaceOf(prefix)
}

/** The address of some bytes (or of a key, for backends that name entries by a digest): lowercase hex sha256. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

export function assertSha256(sha256: string): void {
  if (typeof sha256 !== 'string' || !SHA256_HEX_PATTERN.test(sha256)) {
    throw new LarderError('E_STORE', `not a lowercase hex sha256: ${JSON.stringify(String(sha256).slice(0, 80))}`)
  }
}

export function assertBlobInfo(info: BlobInfo): void {
  assertSha256(info.sha256)
  if (!Number.isSafeInteger(info.size) || info.size < 0) {
    throw new LarderError('E_STORE', `blob size must be a non-negative integer, got ${String(info.size)}`)
  }
}

export function assertRange(range: ByteRange): void {
  const { start, end } = range
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new LarderError('E_STORE', `invalid byte range ${String(start)}-${String(end)}`)
  }
}
