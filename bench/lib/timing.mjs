/** Small helpers the benchmarks share: time a step, check a child's exit, take a median. */

/** ms that `work` took. */
export async function timed(work) {
  const started = performance.now()
  await work()
  return performance.now() - started
}

/** `run(...).then(exitedZero('what'))`: the result, or an error naming the step and what it printed. */
export function exitedZero(what) {
  return (result) => {
    if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n${result.stdout}\n${result.stderr}`)
    return result
  }
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
