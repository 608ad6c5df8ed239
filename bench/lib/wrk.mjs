/** The load generator for the nginx comparison: wrk (C, one thread) pinned to its own core, its report parsed. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const WRK_BINARY = 'wrk'
export const DEFAULT_WRK_SECONDS = 5

/**
 * Runs `wrk --latency` against `url` and returns req/s, p50/p99 in ms and the bytes per request it read;
 * any non-2xx answer or socket error fails the run, so a fast error page never passes for throughput.
 */
export async function runWrk({ url, connections, seconds = DEFAULT_WRK_SECONDS, headers = {}, cpu, timeoutSeconds }) {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`])
  const timeout = timeoutSeconds === undefined ? [] : ['--timeout', `${timeoutSeconds}s`]
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...timeout, ...headerArgs, url]
  const [file, ...rest] = cpu === undefined ? [WRK_BINARY, ...args] : ['taskset', '-c', String(cpu), WRK_BINARY, ...args]
  const { stdout } = await run(file, rest, { maxBuffer: 1024 * 1024 })
  return parseWrkReport(stdout, url)
}

export function parseWrkReport(report, url) {
  const number = (pattern) => {
    const match = report.match(pattern)
    if (!match) throw new Error(`wrk report for ${url} has no ${pattern}:\n${report}`)
    return match
  }
  const errors = report.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/)
  if (errors?.slice(1).some((n) => Number(n) > 0)) throw new Error(`wrk saw socket errors on ${url}:\n${report}`)
  const non2xx = report.match(/Non-2xx or 3xx responses: (\d+)/)
  if (non2xx) throw new Error(`wrk got ${non2xx[1]} non-2xx answers from ${url}`)
  const total = number(/(\d+) requests in ([\d.]+)(m?s), ([\d.]+)([KMG]?B) read/)
  const requests = Number(total[1])
  const seconds = total[3] === 'ms' ? Number(total[2]) / 1000 : Number(total[2])
  const bytesRead = Number(total[4]) * UNITS[total[5]]
  return {
    requests,
    seconds,
    requestsPerSecond: Number(number(/Requests\/sec:\s+([\d.]+)/)[1]),
    p50Ms: latencyMs(number(/\s50%\s+([\d.]+)(us|ms|s)/)),
    p99Ms: latencyMs(number(/\s99%\s+([\d.]+)(us|ms|s)/)),
    bytesPerRequest: bytesRead / requests,
  }
}

const UNITS = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }

function latencyMs([, value, unit]) {
  return unit === 'us' ? Number(value) / 1000 : unit === 's' ? Number(value) * 1000 : Number(value)
}
