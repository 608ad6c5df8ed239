/** At most `limit` tasks at once; the rest wait in order. */

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError('the limit must be a positive integer')
  let active = 0
  const waiting: (() => void)[] = []
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    else active++
    try {
      return await task()
    } finally {
      // The slot passes straight to the next waiter, so `active` never drops below the work in flight.
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}
