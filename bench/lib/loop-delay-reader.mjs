/** The bench side of loop-delay-probe.mjs: asks a probed child process for its event-loop delay since the last ask. */
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

export const LOOP_DELAY_PROBE = fileURLToPath(new URL('./loop-delay-probe.mjs', import.meta.url))
const POLL_INTERVAL_MS = 20
/** A blocked loop answers the signal late; this is how late it may be before the bench gives up. */
const ANSWER_TIMEOUT_MS = 30_000

/**
 * Returns a `snapshot()` that signals `pid` (SIGUSR2) and resolves with what the probe wrote to
 * `file`: delay p50/p99/max/mean in ms, sample count, loop utilisation. Each snapshot resets the probe.
 */
export function loopDelayReader(pid, file) {
  let sequence = 0
  return {
    async snapshot() {
      sequence++
      process.kill(pid, 'SIGUSR2')
      const deadline = performance.now() + ANSWER_TIMEOUT_MS
      while (performance.now() < deadline) {
        const written = await readFile(file, 'utf8').then(JSON.parse, () => undefined)
        if (written?.sequence === sequence) return written
        await sleep(POLL_INTERVAL_MS)
      }
      throw new Error(`process ${pid} did not write loop-delay snapshot ${sequence} to ${file} within ${ANSWER_TIMEOUT_MS} ms`)
    },
  }
}
