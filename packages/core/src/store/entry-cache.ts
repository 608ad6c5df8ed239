/** A store decorator keeping hot entries in an in-memory LRU; blobs and listings go straight through. */
import { LRUCache } from 'lru-cache'
import { LarderError } from '../errors/larder-error.js'
import type { CacheEntry, CacheStore, PutEntriesOptions } from './types.js'

export const DEFAULT_ENTRY_CACHE_MAX_ENTRIES = 10_000

export interface EntryCacheOptions {
  /** How many entries to keep in memory. */
  maxEntries?: number
  /** Told when another process wrote to the store (larder import, prefetch): then everything cached is forgotten. */
  externalChanges?: ExternalChanges
}

/** Where news of other processes' writes comes from (see watchStoreChanges), and where this one's go. */
export interface ExternalChanges {
  /** The listener is told the key that changed, or nothing when anything may have. */
  onChange(listener: (key?: string) => void): void
  /** Tells the other processes that `key` changed; a write settles only once they all know. */
  announce?(key: string): Promise<void>
}

/** Operations on one key that are still running; forgotten once none are. */
interface KeyActivity {
  /** Bumped by every put/delete, so a slower operation can tell it was overtaken. */
  generation: number
  writes: number
  operations: number
}

/** Marks a key known to have no entry: apps look up keys that mostly do not exist (private names). */
const ABSENT = Object.freeze({ absent: true })

/** Freezes an entry and everything in it, so callers share one copy and none can change it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

/**
 * Fronts `store` with an LRU of entries, and of keys known to be absent.
 * Writes from other processes are seen once `externalChanges` says so (within a second for the
 * filesystem store); without it, not until the entry is evicted.
 */
export function withEntryCache(store: CacheStore, options: EntryCacheOptions = {}): CacheStore {
  const maxEntries = options.maxEntries ?? DEFAULT_ENTRY_CACHE_MAX_ENTRIES
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new LarderError('E_INVALID_OPTION', 'maxEntries must be a positive integer')
  }
  const cache = new LRUCache<string, CacheEntry | typeof ABSENT>({ max: maxEntries })
  const activity = new Map<string, KeyActivity>()
  /** Bumped when another process changed the store: a read that began before must not fill the cache. */
  let epoch = 0
  const external = options.externalChanges
  external?.onChange((key) => {
    if (key === undefined) {
      epoch++
      cache.clear()
      return
    }
    cache.delete(key)
    // A read of this key already running may have read the old entry: it must not fill the cache.
    const state = activity.get(key)
    if (state) state.generation++
  })
  const announce = external?.announce?.bind(external) ?? (async () => {})

  // A read or write may only fill the cache if no write to the same key overlapped it; otherwise
  // the value it holds may not be what ended up in the store, and it would be served until evicted.
  const track = async <T>(
    key: string,
    kind: 'read' | 'write',
    run: () => Promise<T>,
    /** What to cache once `run` succeeds: a copy owned by the cache, or undefined to cache nothing. */
    fill: (result: T) => CacheEntry | typeof ABSENT | undefined,
  ): Promise<T> => {
    let state = activity.get(key)
    if (!state) activity.set(key, (state = { generation: 0, writes: 0, operations: 0 }))
    const overlapsWrite = state.writes > 0
    state.operations++
    if (kind === 'write') {
      state.writes++
      state.generation++
      cache.delete(key)
    }
    const generation = state.generation
    const startedIn = epoch
    try {
      const result = await run()
      if (!overlapsWrite && state.generation === generation && epoch === startedIn) {
        const entry = fill(result)
        if (entry) cache.set(key, entry)
      }
      return result
    } finally {
      if (kind === 'write') state.writes--
      if (--state.operations === 0) activity.delete(key)
    }
  }

  return {
    get spoolDir() {
      return store.spoolDir
    },

    async getEntry(key) {
      const cached = cache.get(key)
      // Frozen rather than copied: hot entries (packuments with thousands of offsets) are read per request.
      if (cached) return cached === ABSENT ? undefined : (cached as CacheEntry)
      const entry = await track(
        key,
        'read',
        () => store.getEntry(key),
        (found) => (found ? deepFreeze(found) : ABSENT),
      )
      return entry
    },

    // Cached as a JSON copy: that is what the backend stored and what a fresh read would return.
    putEntry: (entry) =>
      track(
        entry.key,
        'write',
        async () => {
          await store.putEntry(entry)
          await announce(entry.key)
        },
        () => deepFreeze(JSON.parse(JSON.stringify(entry)) as CacheEntry),
      ),
    // Every key is a write in progress until all are stored; none is cached (the next read loads it).
    ...(store.putEntries
      ? {
          putEntries: (entries: readonly CacheEntry[], options?: PutEntriesOptions) =>
            entries.reduceRight<() => Promise<void>>(
              (inner, entry) => () => track(entry.key, 'write', inner, () => undefined),
              async () => {
                await store.putEntries!(entries, options)
                for (const entry of entries) await announce(entry.key)
              },
            )(),
        }
      : {}),
    deleteEntry: (key) =>
      track(
        key,
        'write',
        async () => {
          await store.deleteEntry(key)
          await announce(key)
        },
        () => ABSENT,
      ),

    listEntries: (prefix) => store.listEntries(prefix),
    statBlob: (sha256) => store.statBlob(sha256),
    listBlobs: () => store.listBlobs(),
    openBlob: (sha256, range) => store.openBlob(sha256, range),
    ingestBlob: (localPath, expected) => store.ingestBlob(localPath, expected),
    putBlob: (data) => store.putBlob(data),
    deleteBlob: (sha256) => store.deleteBlob(sha256),
    probe: () => store.probe(),

    async close() {
      cache.clear()
      await store.close()
    },
  }
}
