/** Preload (`node --import`) that measures the host process's event-loop delay and, on SIGUSR2, writes it to $LARDER_BENCH_LOOP_DELAY_FILE. */
import { renameSync, writeFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'

/** The env var naming the file each snapshot is written to (atomically, via a rename). */
export const LOOP_DELAY_FILE_ENV = 'LARDER_BENCH_LOOP_DELAY_FILE'
/** Sampling interval: every recorded delay includes it, so an idle loop reads about this much. */
export const RESOLUTION_MS = 10
/** The delay figure the benchmark checks; `samplesOver` counts the samples above it. */
export const THRESHOLD_MS = 20
const NS_PER_MS = 1e6

const file = process.env[LOOP_DELAY_FILE_ENV]
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  histogram.enable()
  let utilizationMark = performance.eventLoopUtilization()
  let since = performance.now()
  let sequence = 0

  // Nothing is ever printed to stdout: the host's stdout stays its own (Larder's is pino JSON).
  process.on('SIGUSR2', () => {
    try {
      const now = performance.now()
      const snapshot = {
        sequence: ++sequence,
        windowMs: now - since,
        samples: histogram.count,
        p50Ms: histogram.percentile(50) / NS_PER_MS,
        p99Ms: histogram.percentile(99) / NS_PER_MS,
        maxMs: histogram.max / NS_PER_MS,
        meanMs: histogram.mean / NS_PER_MS,
        samplesOver: Math.round(histogram.count * shareAbove(histogram, THRESHOLD_MS * NS_PER_MS)),
        thresholdMs: THRESHOLD_MS,
        /** Share of the window the loop spent running callbacks rather than waiting for I/O. */
        utilization: performance.eventLoopUtilization(utilizationMark).utilization,
      }
      writeFileSync(`${file}.tmp`, `${JSON.stringify(snapshot)}\n`)
      renameSync(`${file}.tmp`, file)
      histogram.reset()
      utilizationMark = performance.eventLoopUtilization()
      since = now
    } catch (error) {
      process.stderr.write(`loop-delay-probe: cannot write ${file}: ${error}\n`)
    }
  })
}

/** The fraction of samples above `limitNs`, by bisecting the histogram's percentiles. */
function shareAbove(histogram, limitNs) {
  if (histogram.count === 0 || histogram.max <= limitNs) return 0
  let low = 0
  let high = 100
  for (let step = 0; step < 40; step++) {
    const middle = (low + high) / 2
    if (histogram.percentile(middle) <= limitNs) low = middle
    else high = middle
  }
  return (100 - high) / 100
}
