/** Store size in /metrics: storeStats walks the whole store, so it runs on a schedule and the gauges read its last result. */
import { errorFields, type Logger } from '../log/index.js'
import type { MetricsRegistry } from '../metrics/index.js'
import type { CacheStore } from '../store/types.js'
import { storeStats, type StoreStats } from './store-stats.js'

export const DEFAULT_STORE_STATS_INTERVAL_MS = 10 * 60 * 1000
/** Soon after start, not at once: a start should not wait on a walk of a large store. */
const FIRST_RUN_MS = 5_000

/** The last count of each watched store, and when it finished (for the status page, which must not walk the store per view). */
const lastCounts = new WeakMap<CacheStore, { stats: StoreStats; at: number }>()

export function lastStoreStats(store: CacheStore): { stats: StoreStats; at: number } | undefined {
  return lastCounts.get(store)
}

const refreshers = new WeakMap<CacheStore, () => Promise<void>>()
/** How old a count the status page takes before it asks for a new one (in the background, for the next view). */
export const STORE_COUNT_MAX_AGE_MS = 60_000

/** Starts a count when the last one is older than `maxAgeMs`; one at a time, never awaited by a page view. */
export function countStoreSoon(store: CacheStore, maxAgeMs = STORE_COUNT_MAX_AGE_MS): void {
  const last = lastCounts.get(store)
  if (last && Date.now() - last.at < maxAgeMs) return
  void refreshers.get(store)?.()
}

export function watchStoreGauges(options: { store: CacheStore; metrics: MetricsRegistry; logger: Logger; intervalMs?: number }): () => void {
  let last: StoreStats | undefined
  const rows = (pick: (counts: { entries: number; bytes: number }) => number) =>
    Object.entries(last?.ecosystems ?? {}).flatMap(([ecosystem, { hosted, mirrored }]) => [
      { labels: { ecosystem, kind: 'hosted' }, value: pick(hosted) },
      { labels: { ecosystem, kind: 'mirrored' }, value: pick(mirrored) },
    ])
  options.metrics.gauge('larder_store_entries', 'Store entries by ecosystem, hosted or mirrored (counted every 10 minutes)', () => rows((c) => c.entries), [
    'ecosystem',
    'kind',
  ])
  options.metrics.gauge(
    'larder_store_bytes',
    'Bytes of store entries by ecosystem, hosted or mirrored (counted every 10 minutes)',
    () => rows((c) => c.bytes),
    ['ecosystem', 'kind'],
  )
  options.metrics.gauge('larder_store_blob_bytes', 'Bytes of every blob on disk (counted every 10 minutes)', () => last?.blobs.bytes ?? 0)
  let running: Promise<void> | undefined
  const count = async () => {
    try {
      last = await storeStats(options.store)
      lastCounts.set(options.store, { stats: last, at: Date.now() })
    } catch (err) {
      options.logger.warn({ ...errorFields(err) }, `could not count the store for /metrics: ${String(err)}`)
    }
  }
  const refresh = () => (running ??= count().finally(() => (running = undefined)))
  refreshers.set(options.store, refresh)
  const first = setTimeout(() => void refresh(), FIRST_RUN_MS)
  const timer = setInterval(() => void refresh(), options.intervalMs ?? DEFAULT_STORE_STATS_INTERVAL_MS)
  first.unref()
  timer.unref()
  return () => {
    clearTimeout(first)
    clearInterval(timer)
  }
}
