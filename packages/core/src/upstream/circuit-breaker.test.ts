import { describe, expect, it } from 'vitest'
import { createCircuitBreaker } from './circuit-breaker.js'

function breakerWithClock(failureThreshold = 3, cooldownMs = 1000) {
  const clock = { time: 10_000 }
  const breaker = createCircuitBreaker({ failureThreshold, cooldownMs, now: () => clock.time })
  return { breaker, clock }
}

describe('createCircuitBreaker', () => {
  it('opens after the threshold of consecutive failures and fails fast until the cooldown ends', () => {
    const { breaker } = breakerWithClock(3, 1000)
    breaker.recordFailure('a')
    breaker.recordFailure('a')
    expect(breaker.isOpen('a')).toBe(false)
    expect(breaker.acquire('a')).toEqual({ allowed: true })
    breaker.recordFailure('a')
    expect(breaker.isOpen('a')).toBe(true)
    expect(breaker.acquire('a')).toEqual({ allowed: false, retryAt: 11_000 })
  })

  it('keeps origins apart', () => {
    const { breaker } = breakerWithClock(1)
    breaker.recordFailure('a')
    expect(breaker.isOpen('a')).toBe(true)
    expect(breaker.isOpen('b')).toBe(false)
    expect(breaker.acquire('b')).toEqual({ allowed: true })
  })

  it('a success resets the count of consecutive failures', () => {
    const { breaker } = breakerWithClock(3)
    breaker.recordFailure('a')
    breaker.recordFailure('a')
    breaker.recordSuccess('a')
    breaker.recordFailure('a')
    breaker.recordFailure('a')
    expect(breaker.isOpen('a')).toBe(false)
  })

  it('after the cooldown lets exactly one trial through; its success closes the circuit', () => {
    const { breaker, clock } = breakerWithClock(1, 1000)
    breaker.recordFailure('a')
    clock.time += 1000
    expect(breaker.isOpen('a')).toBe(false)
    expect(breaker.acquire('a')).toEqual({ allowed: true })
    expect(breaker.acquire('a')).toEqual({ allowed: false, retryAt: clock.time })
    expect(breaker.isOpen('a')).toBe(true)
    breaker.recordSuccess('a')
    expect(breaker.isOpen('a')).toBe(false)
    expect(breaker.acquire('a')).toEqual({ allowed: true })
    expect(breaker.acquire('a')).toEqual({ allowed: true })
  })

  it('a failed trial reopens the circuit for another cooldown, even below the threshold', () => {
    const { breaker, clock } = breakerWithClock(5, 1000)
    for (let i = 0; i < 5; i++) breaker.recordFailure('a')
    clock.time += 1500
    expect(breaker.acquire('a')).toEqual({ allowed: true })
    breaker.recordFailure('a')
    expect(breaker.acquire('a')).toEqual({ allowed: false, retryAt: clock.time + 1000 })
  })

  it('a released trial frees the slot for the next request', () => {
    const { breaker, clock } = breakerWithClock(1, 1000)
    breaker.recordFailure('a')
    clock.time += 1000
    expect(breaker.acquire('a')).toEqual({ allowed: true })
    breaker.release('a')
    expect(breaker.acquire('a')).toEqual({ allowed: true })
  })
})
