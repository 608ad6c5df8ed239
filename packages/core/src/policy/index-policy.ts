/** Cache policy as pure functions: what to do with a cached entry, given the clock and the mode. */
import type { CacheEntry } from '../store/types.js'

/** The cache result named in logs, metrics and the X-Larder-Cache header. */
export type CacheResult = 'HIT' | 'MISS' | 'STALE' | 'REVALIDATED' | 'OFFLINE' | 'PRIVATE' | 'PASS'

export const DEFAULT_INDEX_TTL_MS = 5 * 60_000
export const DEFAULT_NEGATIVE_TTL_MS = 60_000

export interface IndexPolicy {
  ttlMs: number
  negativeTtlMs: number
  offline: boolean
}

export type IndexDecision =
  /** Serve the cached entry without asking upstream. */
  | { action: 'serve'; result: 'HIT' | 'OFFLINE' }
  /** Answer 404 from the negative cache. */
  | { action: 'not-found'; result: 'HIT' | 'OFFLINE' }
  /** Offline and nothing cached. */
  | { action: 'offline-miss' }
  /** Ask upstream; `conditional` when validators can be sent. */
  | { action: 'fetch'; conditional: boolean }

export function decideIndex(entry: CacheEntry | undefined, now: number, policy: IndexPolicy, forceRefresh = false): IndexDecision {
  if (policy.offline) {
    if (!entry) return { action: 'offline-miss' }
    return entry.status === 'ok' ? { action: 'serve', result: 'OFFLINE' } : { action: 'not-found', result: 'OFFLINE' }
  }
  if (!entry) return { action: 'fetch', conditional: false }
  const age = now - entry.fetchedAt
  if (entry.status === 'missing') {
    // A refresh forced by a client asking for something new still respects the negative TTL:
    // otherwise a loop of requests for a missing name would each hit upstream.
    return age < policy.negativeTtlMs && age >= 0 ? { action: 'not-found', result: 'HIT' } : { action: 'fetch', conditional: false }
  }
  if (!forceRefresh && age < policy.ttlMs && age >= 0) return { action: 'serve', result: 'HIT' }
  return { action: 'fetch', conditional: Boolean(entry.etag || entry.lastModified) }
}

/** Conditional request headers for revalidating an entry with upstream. */
export function revalidationHeaders(entry: CacheEntry | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  if (entry?.status !== 'ok') return headers
  if (entry.etag) headers['if-none-match'] = entry.etag
  if (entry.lastModified) headers['if-modified-since'] = entry.lastModified
  return headers
}

/** Upstream statuses that mean "this name does not exist there" and are negatively cached. */
export function isNotFoundStatus(status: number): boolean {
  return status === 404 || status === 410
}
