/** Per-origin circuit breaker: after N consecutive failures fail fast, then let one trial request through. */

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number
  /** How long an open circuit fails fast before it half-opens. */
  cooldownMs: number
  now?: () => number
}

export type CircuitPermit =
  | { allowed: true }
  /** `retryAt` (ms since epoch) is when a trial will be let through; at or before now means a trial is already running. */
  | { allowed: false; retryAt: number }

export interface CircuitBreaker {
  /** Asks to send a request to `key`. While half-open only one trial request is let through at a time. */
  acquire(key: string): CircuitPermit
  recordSuccess(key: string): void
  recordFailure(key: string): void
  /** Ends a request that proved nothing either way (e.g. the caller aborted it), freeing a held trial slot. */
  release(key: string): void
  /** True while requests to `key` would fail fast. */
  isOpen(key: string): boolean
  /** The keys failing now: 'closed' (failing, below the threshold), 'open' (failing fast) or 'half-open' (a trial is due). */
  failing(): Array<{ key: string; state: CircuitStateName; failures: number }>
}

export type CircuitStateName = 'closed' | 'open' | 'half-open'

interface CircuitState {
  consecutiveFailures: number
  /** Set while the circuit is open or half-open. */
  openUntil?: number
  trialInFlight: boolean
}

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { failureThreshold, cooldownMs, now = Date.now } = options
  // Only origins that are failing have an entry; a success deletes it, so the map stays small.
  const states = new Map<string, CircuitState>()

  return {
    acquire(key) {
      const state = states.get(key)
      if (state?.openUntil === undefined) return { allowed: true }
      const time = now()
      if (time < state.openUntil) return { allowed: false, retryAt: state.openUntil }
      if (state.trialInFlight) return { allowed: false, retryAt: time }
      state.trialInFlight = true
      return { allowed: true }
    },

    recordSuccess(key) {
      states.delete(key)
    },

    recordFailure(key) {
      const state = states.get(key) ?? { consecutiveFailures: 0, trialInFlight: false }
      state.consecutiveFailures += 1
      // A failed trial (half-open) reopens at once; a closed circuit opens at the threshold.
      if (state.openUntil !== undefined || state.consecutiveFailures >= failureThreshold) {
        state.openUntil = now() + cooldownMs
        state.trialInFlight = false
      }
      states.set(key, state)
    },

    release(key) {
      const state = states.get(key)
      if (state) state.trialInFlight = false
    },

    isOpen(key) {
      const state = states.get(key)
      if (state?.openUntil === undefined) return false
      return now() < state.openUntil || state.trialInFlight
    },

    failing() {
      const time = now()
      return [...states].map(([key, state]) => ({
        key,
        state: state.openUntil === undefined ? 'closed' : time < state.openUntil ? 'open' : 'half-open',
        failures: state.consecutiveFailures,
      }))
    },
  }
}
