/** Chores that one replica at a time may run (gc, eviction): each run first takes a cluster lease, or is skipped. */
import type { ReleaseLease } from '../workers/host-leases.js'

export interface ChoreLock {
  /** The lease when nobody holds it, else undefined (another replica is running the chore). */
  tryAcquire(key: string): Promise<ReleaseLease | undefined>
  /**
   * Claims this interval's round of `key` for the caller; false when another replica ran it less than
   * `intervalMs` ago (N replicas then make one round per interval between them, not N).
   */
  claimRound?(key: string, intervalMs: number): Promise<boolean>
}

/**
 * Runs `task` unless another replica holds `key` or, given `intervalMs`, already ran this interval's round:
 * then 'skipped'. Without a lock (one machine), it simply runs.
 */
export async function runAlone<T>(lock: ChoreLock | undefined, key: string, task: () => Promise<T>, intervalMs?: number): Promise<T | 'skipped'> {
  const release = lock ? await lock.tryAcquire(key) : () => {}
  if (!release) return 'skipped'
  try {
    // A little short of the interval: replicas' timers drift, and a round must not be skipped for a few ms.
    if (intervalMs !== undefined && lock?.claimRound && !(await lock.claimRound(key, intervalMs * 0.9))) return 'skipped'
    return await task()
  } finally {
    release()
  }
}
