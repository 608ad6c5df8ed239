/** Response bodies: failures after the response was handed over become 'error' events carrying a LarderError. */
import { PassThrough, type Readable } from 'node:stream'
import { toUpstreamError } from './upstream-failure.js'

/** Bodies of responses we do not return (redirects, retried 5xx) are read up to this size to keep the connection. */
export const DISCARD_LIMIT_BYTES = 64 * 1024

export interface BodyContext {
  url: string
  proxied: boolean
  signal?: AbortSignal | undefined
}

/**
 * Pipes undici's body through a PassThrough so that a mid-body failure (timeout, reset,
 * truncation) reaches the caller as a LarderError rather than an undici-specific error.
 * Destroying the returned stream aborts the upstream request and frees its connection.
 */
export function wrapBody(source: Readable, context: BodyContext): Readable {
  const body = new PassThrough()
  source.on('error', (err) => {
    const reason = context.signal?.aborted ? context.signal.reason : toUpstreamError(err, { ...context, midBody: true })
    body.destroy(reason instanceof Error ? reason : new Error(String(reason)))
  })
  body.on('close', () => {
    if (!source.destroyed) source.destroy()
  })
  source.pipe(body)
  return body
}

/** Throws a body away without waiting; small ones are read so the keep-alive connection can be reused. */
export function discardBody(source: Readable & { dump?: (opts?: { limit: number }) => Promise<unknown> }): void {
  if (typeof source.dump === 'function') {
    source.dump({ limit: DISCARD_LIMIT_BYTES }).catch(() => {})
  } else {
    source.on('error', () => {}).destroy()
  }
}
