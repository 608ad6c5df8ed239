/** Chores that one replica at a time may run (gc, eviction): each run first takes a cluster lease, or is skipped. */
import type { ReleaseLease } from '../workers/host-leases.js'

export interface ChoreLock {
  /** The lease when nobody holds it, else undefined (another replica is running the chore). */
  tryAcquire(key: string): Promise<ReleaseLease | undefined>
}

/** Runs `task` unless another replica holds `key`: then 'skipped'. Without a lock (one machine), it simply runs. */
export async function runAlone<T>(lock: ChoreLock | undefined, key: string, task: () => Promise<T>): Promise<T | 'skipped'> {
  const release = lock ? await lock.tryAcquire(key) : () => {}
  if (!release) return 'skipped'
  try {
    return await task()
  } finally {
    release()
  }
}
