/** Response bodies: failures after the response was handed over become 'error' events carrying a LarderError. */
import { PassThrough, type Readable } from 'node:stream'
import { LarderError } from '../errors/larder-error.js'
import { safeOrigin, toUpstreamError } from './upstream-failure.js'

/** Bodies of responses we do not return (redirects, retried 5xx) are read up to this size to keep the connection. */
export const DISCARD_LIMIT_BYTES = 64 * 1024

export interface ThroughputFloor {
  /** Below this average rate over one window the body is given up; 0 disables the floor. */
  minBytesPerSecond: number
  windowMs: number
}

export interface BodyContext {
  url: string
  proxied: boolean
  signal?: AbortSignal | undefined
  floor?: ThroughputFloor | undefined
  /** Called once when the body has ended, failed or been destroyed (clears the request's deadline). */
  onSettled?: (() => void) | undefined
}

/**
 * Pipes undici's body through a PassThrough so that a mid-body failure (timeout, reset,
 * truncation, a trickle below the throughput floor) reaches the caller as a LarderError rather
 * than an undici-specific error. Destroying the returned stream aborts the upstream request.
 */
export function wrapBody(source: Readable, context: BodyContext): Readable {
  const body = new PassThrough()
  // The caller may attach its reader only after an await (opening a spool file): a failure before
  // then must wait for it in body.errored, not end the process as an 'error' nobody listens to.
  body.on('error', () => {})
  const stopFloor = context.floor ? watchThroughput(source, body, context.url, context.floor) : () => {}
  let settled = false
  const settle = () => {
    if (settled) return
    settled = true
    stopFloor()
    context.onSettled?.()
  }
  source.on('error', (err) => {
    const reason = context.signal?.aborted ? context.signal.reason : toUpstreamError(err, { ...context, midBody: true })
    body.destroy(reason instanceof Error ? reason : new Error(String(reason)))
  })
  source.on('end', settle)
  body.on('close', () => {
    settle()
    if (!source.destroyed) source.destroy()
  })
  source.pipe(body)
  return body
}

/**
 * A body that keeps the connection alive with a byte now and then (a 1 byte/s drip) never trips
 * the idle timeout; judging the rate per window does. A window in which our reader left bytes
 * unread is not judged: then the reader, not the upstream, is the slow side.
 */
function watchThroughput(source: Readable, body: PassThrough, url: string, floor: ThroughputFloor): () => void {
  if (floor.minBytesPerSecond <= 0) return () => {}
  const needed = Math.ceil((floor.minBytesPerSecond * floor.windowMs) / 1000)
  let received = 0
  let readerWasBehind = false
  const count = (chunk: Buffer) => {
    received += chunk.byteLength
    // Runs after pipe() wrote the chunk: a full buffer means our reader held the upstream back.
    if (body.writableNeedDrain) readerWasBehind = true
  }
  source.on('data', count)
  // Caught up after being full: the window in which our reader resumed is not the upstream's to answer for.
  const caughtUp = () => {
    readerWasBehind = true
  }
  body.on('drain', caughtUp)
  let lastTick = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    // A late tick means this process, not the upstream, was starved: bytes may sit unread in the socket.
    const starved = now - lastTick > floor.windowMs * 1.5
    lastTick = now
    const readerIsBehind = starved || readerWasBehind || source.readableLength > 0 || body.readableLength > 0 || body.writableLength > 0
    readerWasBehind = false
    if (received < needed && !readerIsBehind) {
      const seconds = Math.round(floor.windowMs / 100) / 10
      body.destroy(
        new LarderError(
          'E_UPSTREAM_TIMEOUT',
          `upstream ${safeOrigin(url)} sent ${received} bytes in ${seconds} s, below the floor of ${floor.minBytesPerSecond} bytes/s`,
          { hint: 'the upstream or the network to it is too slow; LARDER_UPSTREAM_MIN_BYTES_PER_SECOND sets the floor (0 turns it off)' },
        ),
      )
    }
    received = 0
  }, floor.windowMs)
  timer.unref()
  return () => {
    clearInterval(timer)
    source.off('data', count)
    body.off('drain', caughtUp)
  }
}

/** Throws a body away without waiting; small ones are read so the keep-alive connection can be reused. */
export function discardBody(source: Readable & { dump?: (opts?: { limit: number }) => Promise<unknown> }): void {
  if (typeof source.dump === 'function') {
    source.dump({ limit: DISCARD_LIMIT_BYTES }).catch(() => {})
  } else {
    source.on('error', () => {}).destroy()
  }
}
