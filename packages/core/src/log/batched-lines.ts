/** A log destination that hands the lines of one event-loop turn to the real destination as one write. */
import { writeSync } from 'node:fs'
import type { DestinationStream } from 'pino'

/**
 * Past this many characters a batch is handed on at once rather than at the end of the turn: sonic-boom's own
 * largest write, so a batch never grows a write that workers sharing one stdout pipe could interleave worse.
 */
export const DEFAULT_BATCH_MAX_CHARS = 16 * 1024
/** How long the exit's synchronous write waits, in all, for a full non-blocking stdout before it gives up. */
const EXIT_WRITE_PATIENCE_MS = 1_000

/** What BatchedLines writes into: pino's asynchronous destination (sonic-boom), or any stream with `write`. */
export interface LineSink {
  write(chunk: string): unknown
  /** Where the sink writes; the exit writes held lines there itself, after the sink's own queue. */
  fd?: number
  flush?(callback: (error?: Error | null) => void): void
  flushSync?(): void
  /** sonic-boom's events: bytes written, and nothing left to write. */
  on?(event: 'write', listener: (bytes: number) => void): unknown
  once?(event: 'drain', listener: () => void): unknown
}

export interface BatchedLinesOptions {
  maxChars?: number
}

/**
 * sonic-boom measures its pending chunk's byte length (up to 16 kB) again on every write, so one line per
 * request cost 5–6 µs; joining a turn's lines first makes that one measure per batch. Lines are held until
 * the end of the current turn at most, and the process's exit writes what is held synchronously, so a crash
 * (uncaughtException logs, then exits) still leaves its last lines.
 */
export class BatchedLines implements DestinationStream {
  readonly #sink: LineSink
  readonly #maxChars: number
  #lines: string[] = []
  #chars = 0
  #scheduled = false
  /** Bytes handed to the sink that it has not reported written; only counted for a sink that reports. */
  #unwritten = 0

  constructor(sink: LineSink, options: BatchedLinesOptions = {}) {
    const maxChars = options.maxChars ?? DEFAULT_BATCH_MAX_CHARS
    if (!Number.isInteger(maxChars) || maxChars < 1) throw new TypeError(`maxChars must be a positive integer, got ${maxChars}`)
    this.#sink = sink
    this.#maxChars = maxChars
    sink.on?.('write', (bytes) => {
      this.#unwritten = Math.max(0, this.#unwritten - bytes)
    })
    watchExit(this)
  }

  write(line: string): void {
    this.#lines.push(line)
    this.#chars += line.length
    if (this.#chars >= this.#maxChars) this.#handOn()
    else if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => {
        this.#scheduled = false
        this.#handOn()
      })
    }
  }

  /**
   * pino's `logger.flush(callback)`: what is held goes to the sink, and the callback waits until the sink has
   * written it. sonic-boom's own flush calls back at once while a write is still in flight, and a process that
   * exits then has its exit's synchronous write overtake that write: the last lines came out of order.
   */
  flush(callback?: (error?: Error | null) => void): void {
    this.#handOn()
    const done = callback ?? (() => {})
    if (this.#unwritten > 0 && this.#sink.once) this.#sink.once('drain', () => done())
    else if (this.#sink.flush) this.#sink.flush(done)
    else done()
  }

  /**
   * Writes everything the sink still queues, then everything held, before returning. Handing the held lines
   * to an idle sonic-boom would start an asynchronous write that its flushSync skips, so they go straight
   * to its file descriptor after it.
   */
  flushSync(): void {
    // pino calls this after every fatal line, with the process running on: a write of the sink's still in
    // flight must not be overtaken, so the lines queue behind it (exitWhenLogged then waits for them).
    if (this.#unwritten > 0) return this.#handOn()
    this.#flushAtExit()
  }

  /** At exit nothing can wait: the sink's queue, then what is held, written synchronously. */
  #flushAtExit(): void {
    const batch = this.#take()
    this.#sink.flushSync?.()
    if (batch === undefined) return
    if (this.#sink.fd === undefined || this.#sink.fd < 0) {
      this.#sink.write(batch)
      this.#sink.flushSync?.()
    } else writeAllSync(this.#sink.fd, Buffer.from(batch))
  }

  /** For the process's exit listener only. */
  exitFlush(): void {
    this.#flushAtExit()
  }

  #handOn(): void {
    const batch = this.#take()
    if (batch === undefined) return
    if (this.#sink.on) this.#unwritten += Buffer.byteLength(batch)
    this.#sink.write(batch)
  }

  #take(): string | undefined {
    if (this.#lines.length === 0) return undefined
    const batch = this.#lines.join('')
    this.#lines = []
    this.#chars = 0
    return batch
  }
}

// One exit listener for every batch in the process; a batch a test made and dropped can still be collected.
const live = new Set<WeakRef<BatchedLines>>()
const PRUNE_AT = 64
let listening = false

function watchExit(lines: BatchedLines): void {
  if (live.size >= PRUNE_AT) for (const ref of live) if (ref.deref() === undefined) live.delete(ref)
  live.add(new WeakRef(lines))
  if (listening) return
  listening = true
  process.once('exit', () => {
    for (const ref of live) {
      try {
        ref.deref()?.exitFlush()
      } catch {
        // A destination already closed has nowhere to write; the exit goes on.
      }
    }
  })
}

/** A non-blocking stdout (a pipe) may refuse with EAGAIN while its reader catches up: wait a little and go on. */
function writeAllSync(fd: number, bytes: Buffer): void {
  const pause = new Int32Array(new SharedArrayBuffer(4))
  let offset = 0
  for (let waited = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(fd, bytes, offset)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= EXIT_WRITE_PATIENCE_MS) throw err
      Atomics.wait(pause, 0, 0, 1)
      waited++
    }
  }
}
