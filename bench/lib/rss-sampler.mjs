/** Samples a process's resident memory from /proc/<pid>/status (Linux) at a fixed interval. */
import { readFileSync } from 'node:fs'

export const DEFAULT_SAMPLE_INTERVAL_MS = 100
const KIB_PER_MB = 1024

/** { rssMb, hwmMb } now; VmHWM is the process's lifetime peak, which the kernel tracks between our samples. */
export function readMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN) / KIB_PER_MB
  return { rssMb: field('VmRSS'), hwmMb: field('VmHWM') }
}

/** Starts sampling; `stop()` returns the baseline, peak and last RSS (MB) and the samples taken. */
export function sampleRss(pid, intervalMs = DEFAULT_SAMPLE_INTERVAL_MS) {
  if (!(intervalMs > 0)) throw new TypeError('intervalMs must be a positive number')
  const baseline = readMemory(pid)
  const samples = [baseline.rssMb]
  const timer = setInterval(() => samples.push(readMemory(pid).rssMb), intervalMs)
  return {
    stop() {
      clearInterval(timer)
      const last = readMemory(pid)
      samples.push(last.rssMb)
      return {
        baselineRssMb: baseline.rssMb,
        peakRssMb: Math.max(...samples),
        lastRssMb: last.rssMb,
        hwmMb: last.hwmMb,
        sampleCount: samples.length,
      }
    },
  }
}
