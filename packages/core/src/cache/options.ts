/** Options of the cache engine, with their defaults, validated eagerly. */
import { LarderError } from '../errors/index.js'
import { inProcessFlights, type FlightFactory } from '../flight/index.js'
import { DEFAULT_INDEX_TTL_MS, DEFAULT_NEGATIVE_TTL_MS } from '../policy/index.js'
import type { CacheStore } from '../store/types.js'
import type { UpstreamClient } from '../upstream/index.js'
import type { HostLeases } from '../workers/host-leases.js'

export const DEFAULT_MAX_ARTIFACT_BYTES = 8 * 1024 ** 3
export const DEFAULT_MAX_INDEX_BYTES = 512 * 1024 ** 2
export const DEFAULT_STALE_DEADLINE_MS = 3000

export interface CacheOptions {
  store: CacheStore
  upstream: UpstreamClient
  /** Never contact upstream; serve only what is cached. */
  offline?: boolean
  indexTtlMs?: number
  negativeTtlMs?: number
  maxArtifactBytes?: number
  maxIndexBytes?: number
  /**
   * With a stale copy at hand, how long a client waits for upstream before it gets that copy (the
   * refresh goes on in the background). 0 waits for upstream however long it takes.
   */
  staleDeadlineMs?: number
  /** Makes the coalescing of each kind of work; in-process single-flight by default. */
  createFlight?: FlightFactory
  /**
   * Under LARDER_WORKERS, leases across the host's workers: a fill or an index refresh takes one, and
   * a worker that waited for it finds the result in the store instead of asking upstream again.
   */
  leases?: HostLeases
  /** Told about fills that failed in the background (integrity, truncation), for the log. */
  onFillError?: (key: string, error: LarderError) => void
  /** Told about every artifact served from the store, for eviction's least recently served. */
  onServed?: (key: string) => void
  now?: () => number
}

export type ResolvedCacheOptions = Required<Omit<CacheOptions, 'onFillError' | 'onServed' | 'leases'>> &
  Pick<CacheOptions, 'onFillError' | 'onServed' | 'leases'>

export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  const resolved = {
    offline: false,
    indexTtlMs: DEFAULT_INDEX_TTL_MS,
    negativeTtlMs: DEFAULT_NEGATIVE_TTL_MS,
    maxArtifactBytes: DEFAULT_MAX_ARTIFACT_BYTES,
    maxIndexBytes: DEFAULT_MAX_INDEX_BYTES,
    staleDeadlineMs: DEFAULT_STALE_DEADLINE_MS,
    createFlight: inProcessFlights,
    now: Date.now,
    ...options,
  }
  for (const name of ['indexTtlMs', 'negativeTtlMs', 'maxArtifactBytes', 'maxIndexBytes', 'staleDeadlineMs'] as const) {
    const value = resolved[name]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new LarderError('E_INVALID_OPTION', `${name} must be a non-negative number, got ${String(value)}`)
    }
  }
  if (typeof resolved.createFlight !== 'function') {
    throw new LarderError('E_INVALID_OPTION', 'createFlight must be a function that makes a Flight per purpose')
  }
  if (!resolved.store) throw new LarderError('E_INVALID_OPTION', 'store is required')
  if (!resolved.upstream) throw new LarderError('E_INVALID_OPTION', 'upstream is required')
  return resolved
}
