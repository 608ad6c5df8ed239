/** Which upstream outcomes are retried, and how long to wait before the next attempt. Pure: no I/O, no clock. */
import type { FailureKind } from './upstream-failure.js'

/** Backoff never waits longer than this between attempts. */
export const MAX_RETRY_DELAY_MS = 2000
/** A longer Retry-After is not waited for: the caller gets the answer (and may serve stale) instead. */
export const MAX_RETRY_AFTER_MS = 5000
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504])

export type AttemptOutcome = { kind: 'failure'; failure: FailureKind } | { kind: 'status'; status: number; retryAfterMs?: number | undefined }

export interface RetryContext {
  method: string
  /** Attempts made so far, including the one whose outcome is being judged (1 after the first). */
  attempt: number
  /** Extra attempts allowed after the first. */
  retries: number
  baseDelayMs: number
  /** Source of jitter in [0, 1); injectable so tests are deterministic. */
  random?: () => number
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number }

/** Only methods that are safe to send twice are retried (and have their redirects followed). */
export function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD'
}

/** Failures that may well go away on the next attempt; a bad certificate or a garbled response will not. */
export function isRetryableFailure(failure: FailureKind): boolean {
  return failure === 'unreachable' || failure === 'timeout'
}

export function decideRetry(outcome: AttemptOutcome, context: RetryContext): RetryDecision {
  const { method, attempt, retries, baseDelayMs, random = Math.random } = context
  if (!isIdempotent(method) || attempt > retries) return { retry: false }
  const backoff = backoffDelayMs(attempt, baseDelayMs, random)
  if (outcome.kind === 'failure') {
    return isRetryableFailure(outcome.failure) ? { retry: true, delayMs: backoff } : { retry: false }
  }
  if (!RETRYABLE_STATUSES.has(outcome.status)) return { retry: false }
  if (outcome.retryAfterMs === undefined) return { retry: true, delayMs: backoff }
  if (outcome.retryAfterMs > MAX_RETRY_AFTER_MS) return { retry: false }
  return { retry: true, delayMs: Math.max(outcome.retryAfterMs, backoff) }
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so that
 * clients retrying together spread out without any of them retrying immediately.
 */
export function backoffDelayMs(retryNumber: number, baseDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseDelayMs * 2 ** Math.max(0, retryNumber - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** Parses a Retry-After header (delay-seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // An HTTP date always names a day or month; without a letter, Date.parse accepts junk like '-1'.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
