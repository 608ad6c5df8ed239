import { describe, expect, it } from 'vitest'
import { ConcurrencyLimit } from './concurrency-limit.js'

describe('ConcurrencyLimit', () => {
  it('never runs more than its limit at once, and runs every task', async () => {
    const limit = new ConcurrencyLimit(2)
    let now = 0
    let peak = 0
    const gates: (() => void)[] = []
    const results = Array.from({ length: 6 }, (_, i) =>
      limit.run(async () => {
        now++
        peak = Math.max(peak, now)
        await new Promise<void>((resolve) => gates.push(resolve))
        now--
        return i
      }),
    )
    while (gates.length > 0 || limit.active > 0) {
      await new Promise((resolve) => setImmediate(resolve))
      gates.shift()?.()
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5])
    expect(peak).toBe(2)
  })

  it('frees the slot when a task fails', async () => {
    const limit = new ConcurrencyLimit(1)
    await expect(limit.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x')
    expect(await limit.run(async () => 'ok')).toBe('ok')
    expect(() => new ConcurrencyLimit(0)).toThrow(/limit/)
  })
})
