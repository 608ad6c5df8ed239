/** One self-overwriting progress line on stderr, only when stderr is a terminal (never in logs or pipes). */
import type { Progress } from '../executor/run-items.js'
import type { TextOut } from '../commands/cli-io.js'
import { formatBytes, formatDuration } from './format.js'

const REDRAW_MS = 100

export interface ProgressLine {
  update(progress: Progress): void
  done(): void
}

/** The same line for work measured in bytes alone (writing or reading a bundle): done, rate and, with a total, ETA. */
export function byteProgressLine(
  command: string,
  totalBytes: number | undefined,
  stream: TextOut = process.stderr,
): { add(bytes: number): void; done(): void } {
  const line = progressLine(command, stream, 'MB')
  const unit = 1024 * 1024
  let bytes = 0
  return {
    add(n) {
      bytes += n
      // Items are MiB here, so the ETA logic of the package line applies unchanged.
      const total = Math.ceil((totalBytes ?? bytes) / unit)
      line.update({ itemsDone: Math.min(Math.floor(bytes / unit), total), itemsTotal: total, bytes })
    },
    done: () => line.done(),
  }
}

export function progressLine(command: string, stream: TextOut = process.stderr, unit = 'packages'): ProgressLine {
  if (!stream.isTTY) return { update: () => {}, done: () => {} }
  const started = Date.now()
  let last = 0
  let drawn = false
  return {
    update(progress) {
      const now = Date.now()
      if (now - last < REDRAW_MS && progress.itemsDone < progress.itemsTotal) return
      last = now
      const elapsed = Math.max(now - started, 1)
      const rate = (progress.bytes / elapsed) * 1000
      // Packages finish at a steadier pace than bytes arrive (sizes vary a thousandfold), so the ETA is by packages.
      const left = progress.itemsTotal - progress.itemsDone
      const eta = progress.itemsDone > 0 && left > 0 ? `, ETA ${formatDuration((elapsed / progress.itemsDone) * left)}` : ''
      const count = unit === 'packages' ? `${progress.itemsDone}/${progress.itemsTotal} packages, ` : ''
      const text = `larder ${command}: ${count}${formatBytes(progress.bytes)}, ${formatBytes(rate)}/s${eta}`
      stream.write(`\r\x1b[K${text}`)
      drawn = true
    },
    done() {
      if (drawn) stream.write('\r\x1b[K')
    },
  }
}
