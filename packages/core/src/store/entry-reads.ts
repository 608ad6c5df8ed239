/** Records which entry keys a store is asked for, so tests can hold a route to the lookups it needs (a hit reads no index). */
import type { CacheStore } from './types.js'

export function recordEntryReads(store: CacheStore): { reads: string[]; restore(): void } {
  const getEntry = store.getEntry
  const reads: string[] = []
  store.getEntry = (key) => {
    reads.push(key)
    return getEntry.call(store, key)
  }
  return {
    reads,
    restore: () => {
      store.getEntry = getEntry
    },
  }
}
