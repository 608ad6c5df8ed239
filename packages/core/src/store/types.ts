/** The storage contract: content-addressed blobs plus a key -> entry index. Every backend implements it. */
import type { Readable } from 'node:stream'

export interface BlobInfo {
  /** Lowercase hex sha256 of the blob's bytes. */
  sha256: string
  size: number
}

/** A blob as a listing sees it: with when it was last stored (a re-store of the same bytes counts), for gc's grace period. */
export interface ListedBlob extends BlobInfo {
  /** ms since epoch */
  storedAt: number
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number
  end: number
}

/** What the cache knows about one key (a packument, a tarball, a Release file...). */
export interface CacheEntry {
  /**
   * Any string; backends must not use it as a path. The part before the first ':' is its namespace,
   * which must match NAMESPACE_PATTERN (lowercase letters, digits, dashes); other keys are refused with E_STORE.
   */
  key: string
  /** 'ok' holds a body; 'missing' records an upstream 404 (negative cache). */
  status: 'ok' | 'missing'
  /** When the upstream last confirmed this entry (ms since epoch). */
  fetchedAt: number
  /** sha256 of the main body served for this key. */
  blob?: string
  size?: number
  contentType?: string
  /** Upstream validators, sent back on revalidation. */
  etag?: string
  lastModified?: string
  /** sha256 of the raw upstream body, to tell whether a full refetch changed anything. */
  upstreamHash?: string
  /** Derived bodies stored beside the main one (e.g. an abbreviated packument). */
  parts?: Record<string, BlobInfo>
  /** Small app-specific facts (must be JSON-serialisable). */
  meta?: Record<string, unknown>
}

/**
 * Every method reports bad arguments (a key without a valid namespace, a sha256 that is not
 * 64 lowercase hex characters) and backend failures as a rejected promise with a LarderError
 * of code E_STORE. Absence is never an error: it is `undefined`.
 */
export interface PutEntriesOptions {
  /**
   * Write only if the entry under `key` is still `entry` as read before (undefined: still absent), else refuse
   * with E_CONFLICT and write nothing: a fence for read-modify-writes whose lease may have been lost meanwhile.
   */
  unchanged?: { key: string; entry: CacheEntry | undefined }
}

export interface CacheStore {
  /** A folder on local disk, on the same filesystem as the blobs where possible, for temp files. */
  readonly spoolDir: string

  /** The entry, or undefined. It may be shared with other callers and frozen: never mutate it, copy it. */
  getEntry(key: string): Promise<CacheEntry | undefined>
  /** Atomically replaces the entry for entry.key. */
  putEntry(entry: CacheEntry): Promise<void>
  /**
   * Replaces several entries all at once or not at all (one database transaction); backends that cannot
   * leave it out, and commitPublish writes one entry after another instead.
   */
  putEntries?(entries: readonly CacheEntry[], options?: PutEntriesOptions): Promise<void>
  deleteEntry(key: string): Promise<void>
  /** Keys of all entries whose key starts with `prefix`: '' for every key, else it must include the namespace and its ':'. */
  listEntries(prefix: string): AsyncIterable<string>

  statBlob(sha256: string): Promise<BlobInfo | undefined>
  /** Every blob, in no particular order; a blob stored while the listing runs may or may not be in it. */
  listBlobs(): AsyncIterable<ListedBlob>
  /** A stream of the blob (or of one range of it), or undefined when absent. */
  openBlob(sha256: string, range?: ByteRange): Promise<Readable | undefined>
  /**
   * Moves a verified local file (under spoolDir) into the store as blob `expected.sha256`.
   * The caller has already hashed it; the backend checks the size and takes ownership of the file:
   * once this settles the file is gone from localPath, whether it was accepted or refused. A blob that is already
   * there counts as stored again now (its storedAt moves), so a gc sweeping old unreferenced blobs spares it.
   */
  ingestBlob(localPath: string, expected: BlobInfo): Promise<void>
  /** Stores a small in-memory body (documents, derived parts) and returns its address; an existing one is stored again as above. */
  putBlob(data: Uint8Array): Promise<BlobInfo>
  deleteBlob(sha256: string): Promise<void>

  /**
   * Checks, with real I/O each time, that the store can take writes now (space left, writable,
   * reachable); rejects with an E_STORE error naming what is wrong. Used by /readyz.
   */
  probe(): Promise<void>

  close(): Promise<void>
}
