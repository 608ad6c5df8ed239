/** A slow upstream must not stall pulls that a cached tag can serve: past LARDER_STALE_DEADLINE_MS the cached copy is served and the refresh goes on. */
import { LarderError, type CacheEntry } from '@larder/core'
import type { ServedManifest } from './manifest-source.js'

export function withStaleDeadline(
  refresh: Promise<ServedManifest>,
  cached: CacheEntry | undefined,
  deadlineMs: number,
  label: string,
): Promise<ServedManifest> {
  if (cached?.status !== 'ok' || deadlineMs <= 0) return refresh
  return new Promise<ServedManifest>((resolve, reject) => {
    const timer = setTimeout(() => {
      const reason = new LarderError('E_UPSTREAM_TIMEOUT', `${label}: upstream slower than ${deadlineMs} ms, served the cached copy`)
      resolve({ entry: cached, result: 'STALE', staleReason: reason })
    }, deadlineMs)
    timer.unref()
    // Both handlers, so a refresh that fails after the deadline is not an unhandled rejection.
    refresh.then(
      (served) => {
        clearTimeout(timer)
        resolve(served)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
