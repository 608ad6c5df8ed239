/** The process logger: pino JSON lines on stdout. */
import { pino, type Logger, type DestinationStream } from 'pino'
import { workerIndex } from '../workers/worker-role.js'
import { BatchedLines } from './batched-lines.js'

export type { Logger } from 'pino'

export const DEFAULT_LOG_LEVEL = 'info'

export interface LoggerOptions {
  level?: string
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream
}

export function createLogger(options: LoggerOptions = {}): Logger {
  // Under LARDER_WORKERS every line says which process wrote it: the primary, or the worker's index.
  const worker = workerIndex()
  const config = { level: options.level ?? DEFAULT_LOG_LEVEL, base: { service: 'larder', ...(worker ? { worker } : {}) } }
  // Asynchronous: a request's log line is queued, not written before the next request is read; the lines of
  // one event-loop turn go to the destination as one write. What is queued is written when the process exits.
  return pino(config, options.destination ?? new BatchedLines(pino.destination({ dest: 1, sync: false })))
}

/** How long a process that is exiting waits for its last lines to be written before it exits anyway. */
export const EXIT_LOG_PATIENCE_MS = 2_000

/**
 * Exits with `code` once every line logged so far is written (a crash's last line after the ones before
 * it), or after EXIT_LOG_PATIENCE_MS when the destination cannot take them.
 */
export function exitWhenLogged(logger: Logger, code: number, patienceMs = EXIT_LOG_PATIENCE_MS): void {
  process.exitCode = code
  const exit = () => process.exit(code)
  setTimeout(exit, patienceMs).unref()
  logger.flush(() => exit())
}
