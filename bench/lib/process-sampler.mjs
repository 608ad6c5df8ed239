/** Watches a child process through /proc (Linux): resident memory every 100 ms, and CPU time used. */
import { readFileSync } from 'node:fs'

export const DEFAULT_SAMPLE_INTERVAL_MS = 100
/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux this runs on (getconf CLK_TCK). */
export const CLOCK_TICKS_PER_SECOND = 100
const KIB_PER_MB = 1024

/** { rssMb, hwmMb } now; VmHWM is the process's lifetime peak, which the kernel tracks between our samples. */
export function readMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN) / KIB_PER_MB
  return { rssMb: field('VmRSS'), hwmMb: field('VmHWM') }
}

/** User + system CPU seconds the process has used so far. */
export function readCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the parenthesised command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
}

/** Starts sampling; `stop()` returns baseline, peak and last RSS (MB), VmHWM (MB) and the CPU seconds spent meanwhile. */
export function sampleProcess(pid, intervalMs = DEFAULT_SAMPLE_INTERVAL_MS) {
  if (!(intervalMs > 0)) throw new TypeError('intervalMs must be a positive number')
  const baseline = readMemory(pid)
  const cpuAtStart = readCpuSeconds(pid)
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
        cpuSeconds: readCpuSeconds(pid) - cpuAtStart,
        sampleCount: samples.length,
      }
    },
  }
}
