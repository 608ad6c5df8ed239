import { describe, expect, it } from 'vitest'
import { MAX_RETRY_DELAY_MS, backoffDelayMs, decideRetry, parseRetryAfterMs } from './retry-policy.js'

const base = { method: 'GET', attempt: 1, retries: 2, baseDelayMs: 100, random: () => 0.5 }

describe('decideRetry', () => {
  it('retries GET and HEAD on connection failures and timeouts', () => {
    expect(decideRetry({ kind: 'failure', failure: 'unreachable' }, base)).toEqual({ retry: true, delayMs: 75 })
    expect(decideRetry({ kind: 'failure', failure: 'timeout' }, { ...base, method: 'HEAD' }).retry).toBe(true)
  })

  it('does not retry failures that another attempt will not fix', () => {
    expect(decideRetry({ kind: 'failure', failure: 'tls' }, base).retry).toBe(false)
    expect(decideRetry({ kind: 'failure', failure: 'garbage' }, base).retry).toBe(false)
    expect(decideRetry({ kind: 'failure', failure: 'unknown' }, base).retry).toBe(false)
  })

  it('never retries methods that are not idempotent', () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      expect(decideRetry({ kind: 'failure', failure: 'unreachable' }, { ...base, method }).retry).toBe(false)
      expect(decideRetry({ kind: 'status', status: 503 }, { ...base, method }).retry).toBe(false)
    }
  })

  it('retries 429, 500, 502, 503 and 504 but no other status', () => {
    for (const status of [429, 500, 502, 503, 504]) expect(decideRetry({ kind: 'status', status }, base).retry).toBe(true)
    for (const status of [200, 304, 404, 501, 505]) expect(decideRetry({ kind: 'status', status }, base).retry).toBe(false)
  })

  it('stops once the extra attempts are used up', () => {
    expect(decideRetry({ kind: 'status', status: 503 }, { ...base, attempt: 2 }).retry).toBe(true)
    expect(decideRetry({ kind: 'status', status: 503 }, { ...base, attempt: 3 }).retry).toBe(false)
    expect(decideRetry({ kind: 'status', status: 503 }, { ...base, retries: 0 }).retry).toBe(false)
  })

  it('honours a Retry-After of up to 5 s and gives up on a longer one', () => {
    expect(decideRetry({ kind: 'status', status: 429, retryAfterMs: 3000 }, base)).toEqual({ retry: true, delayMs: 3000 })
    expect(decideRetry({ kind: 'status', status: 429, retryAfterMs: 0 }, base)).toEqual({ retry: true, delayMs: 75 })
    expect(decideRetry({ kind: 'status', status: 429, retryAfterMs: 5001 }, base).retry).toBe(false)
    expect(decideRetry({ kind: 'status', status: 503, retryAfterMs: 60_000 }, base).retry).toBe(false)
  })
})

describe('backoffDelayMs', () => {
  it('doubles per retry, with jitter in the upper half of the window', () => {
    expect(backoffDelayMs(1, 200, () => 0)).toBe(100)
    expect(backoffDelayMs(1, 200, () => 0.999)).toBe(200)
    expect(backoffDelayMs(2, 200, () => 0)).toBe(200)
    expect(backoffDelayMs(3, 200, () => 0)).toBe(400)
  })

  it('is capped', () => {
    expect(backoffDelayMs(20, 200, () => 0.9999)).toBe(MAX_RETRY_DELAY_MS)
    expect(backoffDelayMs(20, 200, () => 0)).toBe(MAX_RETRY_DELAY_MS / 2)
  })
})

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2024-01-01T00:00:00Z')

  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3000)
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0)
    expect(parseRetryAfterMs('Mon, 01 Jan 2024 00:00:04 GMT', now)).toBe(4000)
    expect(parseRetryAfterMs('Sun, 31 Dec 2023 23:00:00 GMT', now)).toBe(0)
  })

  it('ignores what it cannot read', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined()
    expect(parseRetryAfterMs('soon', now)).toBeUndefined()
    expect(parseRetryAfterMs('-1', now)).toBeUndefined()
  })
})
