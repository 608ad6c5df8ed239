/** Polls a condition until it holds: the way to wait for state that emits no event. */

export const DEFAULT_WAIT_TIMEOUT_MS = 5_000
export const DEFAULT_WAIT_INTERVAL_MS = 20

export interface WaitForOptions {
  timeoutMs?: number
  intervalMs?: number
  /** Says what was awaited, for the timeout message. */
  description?: string
}

/**
 * Resolves with the predicate's first truthy result. A predicate that throws counts as "not yet";
 * the last error is attached as the cause when the wait times out, which is usually the clue.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = DEFAULT_WAIT_TIMEOUT_MS, intervalMs = DEFAULT_WAIT_INTERVAL_MS, description = 'condition' } = options
  if (!(timeoutMs > 0)) throw new TypeError('timeoutMs must be a positive number')
  if (!(intervalMs > 0)) throw new TypeError('intervalMs must be a positive number')

  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await predicate()
      if (value) return value as NonNullable<T>
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: ${description} did not hold within ${timeoutMs} ms`, {
        cause: lastError,
      })
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
