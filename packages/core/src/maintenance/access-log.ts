/**
 * When each artifact was last served, for eviction's "least recently served": kept in memory per hit and written
 * once a minute as `access:<key>` entries (never the artifact's own entry, which another writer may be replacing),
 * so a hit costs no disk write and the record is shared by every process on the store.
 */
import type { CacheStore } from '../store/types.js'

export const ACCESS_PREFIX = 'access:'
export const DEFAULT_ACCESS_FLUSH_MS = 60_000

export interface AccessLog {
  served(key: string): void
  /** Writes what was served since the last flush. */
  flush(): Promise<void>
  close(): Promise<void>
}

export function createAccessLog(store: CacheStore, options: { flushMs?: number; now?: () => number } = {}): AccessLog {
  const now = options.now ?? Date.now
  let pending = new Map<string, number>()
  let flushing: Promise<void> = Promise.resolve()
  const flush = () => {
    const batch = pending
    pending = new Map()
    flushing = flushing.then(async () => {
      for (const [key, at] of batch) await store.putEntry({ key: ACCESS_PREFIX + key, status: 'ok', fetchedAt: at }).catch(() => {})
    })
    return flushing
  }
  const timer = setInterval(() => void flush(), options.flushMs ?? DEFAULT_ACCESS_FLUSH_MS)
  timer.unref()
  return {
    served: (key) => void pending.set(key, now()),
    flush,
    async close() {
      clearInterval(timer)
      await flush()
    },
  }
}

/** When `key` was last served as recorded, else undefined. */
export async function lastServed(store: CacheStore, key: string): Promise<number | undefined> {
  return (await store.getEntry(ACCESS_PREFIX + key))?.fetchedAt
}
