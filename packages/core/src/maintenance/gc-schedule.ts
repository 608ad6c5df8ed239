/** The server's own gc: every LARDER_GC_INTERVAL_HOURS, one run at a time, logged and counted. */
import { errorFields, type Logger } from '../log/index.js'
import type { MetricsRegistry } from '../metrics/index.js'
import type { CacheStore } from '../store/types.js'
import { type ChoreLock, runAlone } from './chore-lock.js'
import { collectGarbage } from './collect-garbage.js'

export interface GcScheduleOptions {
  store: CacheStore
  logger: Logger
  metrics: MetricsRegistry
  intervalMs: number
  /** With several replicas on one store: only the replica holding it runs a round. */
  lock?: ChoreLock | undefined
}

/** Starts the schedule (nothing when intervalMs is 0); returns its stop. */
export function scheduleGarbageCollection(options: GcScheduleOptions): () => void {
  if (options.intervalMs <= 0) return () => {}
  const runs = options.metrics.counter('larder_gc_runs_total', 'Store garbage collections, by result', ['result'])
  const freed = options.metrics.counter('larder_gc_freed_bytes_total', 'Bytes of unreferenced blobs deleted by gc')
  let running = false
  const timer = setInterval(async () => {
    if (running) return
    running = true
    try {
      const result = await runAlone(options.lock, 'chore:gc', () => collectGarbage(options.store), options.intervalMs)
      if (result === 'skipped') return
      runs.inc({ result: 'ok' })
      freed.inc({}, result.freedBytes)
      options.logger.info({ gc: result }, `gc deleted ${result.deleted} unreferenced blobs (${result.freedBytes} bytes) in ${result.ms} ms`)
    } catch (err) {
      runs.inc({ result: 'error' })
      options.logger.error({ ...errorFields(err) }, `gc failed: ${String(err)}`)
    } finally {
      running = false
    }
  }, options.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
