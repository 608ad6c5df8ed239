/** The server's eviction: every LARDER_EVICT_INTERVAL_SECONDS while LARDER_MAX_CACHE_GB or LARDER_EVICT_UNUSED_DAYS is set. */
import { errorFields, type Logger } from '../log/index.js'
import type { MetricsRegistry } from '../metrics/index.js'
import type { CacheStore } from '../store/types.js'
import type { AccessLog } from './access-log.js'
import { type ChoreLock, runAlone } from './chore-lock.js'
import { evictArtifacts } from './evict-artifacts.js'

export interface EvictScheduleOptions {
  store: CacheStore
  access: AccessLog
  logger: Logger
  metrics: MetricsRegistry
  maxBytes: number | undefined
  unusedMs: number | undefined
  intervalMs: number
  /** With several replicas on one store: only the replica holding it runs a round. */
  lock?: ChoreLock | undefined
}

export function scheduleEviction(options: EvictScheduleOptions): () => void {
  if (options.maxBytes === undefined && options.unusedMs === undefined) return () => {}
  const evictions = options.metrics.counter('larder_evictions_total', 'Mirrored artifacts evicted (LARDER_MAX_CACHE_GB, LARDER_EVICT_UNUSED_DAYS)', [])
  let running = false
  const timer = setInterval(async () => {
    if (running) return
    running = true
    try {
      // This process's hits count before the order is decided.
      await options.access.flush()
      const result = await runAlone(
        options.lock,
        'chore:evict',
        () =>
          evictArtifacts(options.store, {
            ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
            ...(options.unusedMs !== undefined ? { unusedMs: options.unusedMs } : {}),
          }),
        options.intervalMs,
      )
      if (result === 'skipped') return
      if (result.evicted.length > 0) {
        evictions.inc({}, result.evicted.length)
        options.logger.info(
          { evicted: result.evicted.length, freedBytes: result.freedBytes, before: result.before, after: result.after },
          `evicted ${result.evicted.length} artifacts (${result.freedBytes} bytes): mirrored content is now ${result.after} bytes`,
        )
      }
    } catch (err) {
      options.logger.error({ ...errorFields(err) }, `eviction failed: ${String(err)}`)
    } finally {
      running = false
    }
  }, options.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
