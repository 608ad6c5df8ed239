/** Requests and answers of the cache engine, shared by every app. */
import type { Readable } from 'node:stream'
import type { ExpectedDigests } from '../digest/index.js'
import type { LarderError } from '../errors/index.js'
import type { CacheResult } from '../policy/index.js'
import type { CacheEntry } from '../store/types.js'
import type { ArtifactFormat } from './artifact-format.js'

/** What an index read after the download began says about it. */
export interface LaterCheck {
  expected: ExpectedDigests
  meta?: Record<string, unknown>
}

/** Where an artifact comes from and what its bytes must hash to. */
export interface ArtifactSource {
  /** Where upstream serves it. */
  url: string
  headers?: Record<string, string>
  /** Digests from the index; the bytes are stored only when every one matches. */
  expected?: ExpectedDigests
  /**
   * For a download started before its index was read: the digests (and entry facts) the index will
   * state. The bytes stream to clients meanwhile; the last is held until these are known and match.
   */
  checkedLater?: Promise<LaterCheck>
  expectedSize?: number
  /** Content-Type to record; defaults to the upstream's, then application/octet-stream. */
  contentType?: string
  /** Kept on the entry (e.g. the upstream URL, the file's version). */
  meta?: Record<string, unknown>
  /** Names the artifact in errors and logs. */
  label?: string
  /**
   * Answer a miss only once the whole body is verified and stored, for clients that take a cut-off
   * body for a corrupt file rather than retrying (Composer with a shasum): they get a clean error instead.
   */
  holdUntilVerified?: boolean
  /** The container format the bytes must be in (zip, gzip, tar): checked on the first bytes, before any is stored or sent. */
  format?: ArtifactFormat
}

export interface ArtifactRequest extends ArtifactSource {
  /** Cache key, namespaced ('npm:tarball:...'). */
  key: string
}

/**
 * An artifact whose source is worked out only on a miss (reading the index that lists it): a hit never
 * pays for the index, and concurrent misses resolve once. `resolve` throws E_NOT_FOUND when nothing is listed.
 */
export interface ResolvableArtifactRequest {
  key: string
  label?: string
  resolve(): Promise<ArtifactSource>
}

export interface ArtifactResponse {
  result: CacheResult
  body: Readable
  /** Known on a hit, and on a miss when upstream sent Content-Length. */
  size: number | undefined
  contentType: string
  /** Present on a hit: the stored entry (its blob is the sha256 of the bytes). */
  entry?: CacheEntry
  /** On a miss that streams: settles once the download is stored (rejects with why it was refused); reads nothing. */
  settled?: Promise<void>
  /** On a miss that streams: the entry once the download is verified and stored (rejects when it is refused). */
  stored?: Promise<CacheEntry>
}

/** The upstream body of an index, handed to the app to turn into what it stores. */
export interface UpstreamIndexBody {
  /** A spool file holding the bytes when they were too many to hold in memory (see receiveIndexBody); readBytes works either way. */
  path: string | undefined
  size: number
  sha256: string
  status: number
  headers: Record<string, string>
  readBytes(): Promise<Buffer>
}

export interface ProcessedIndex {
  body: Uint8Array
  contentType: string
  /** Derived bodies stored beside the main one, e.g. an abbreviated packument. */
  parts?: Record<string, Uint8Array>
  meta?: Record<string, unknown>
}

/** Returned by `process` to keep the cached version (e.g. upstream went backwards). */
export const KEEP_PREVIOUS = Symbol('keep-previous')

export interface IndexRequest {
  key: string
  url: string
  headers?: Record<string, string>
  /** Ask upstream even if the entry is fresh (a client wants something the cached copy lacks). */
  forceRefresh?: boolean
  ttlMs?: number
  label?: string
  process(body: UpstreamIndexBody, previous: CacheEntry | undefined): Promise<ProcessedIndex | typeof KEEP_PREVIOUS>
}

export interface IndexResponse {
  result: CacheResult
  entry: CacheEntry
  /** Why a stale copy was served (upstream down, garbage, deleted). */
  staleReason?: LarderError
}
