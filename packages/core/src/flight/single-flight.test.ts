import { describe, expect, it } from 'vitest'
import { SingleFlight } from './single-flight.js'

/** A promise the test settles by hand, so the order of events is explicit. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('SingleFlight', () => {
  it('runs one task per key and shares its promise with every concurrent caller', async () => {
    const flights = new SingleFlight<string>()
    const gate = deferred<string>()
    let calls = 0
    const task = () => {
      calls++
      return gate.promise
    }
    const first = flights.run('a', task)
    const second = flights.run('a', task)
    expect(second).toBe(first)
    expect(calls).toBe(1)
    expect(flights.size).toBe(1)
    gate.resolve('done')
    expect(await Promise.all([first, second])).toEqual(['done', 'done'])
  })

  it('keeps keys apart', async () => {
    const flights = new SingleFlight<string>()
    const a = flights.run('a', async () => 'A')
    const b = flights.run('b', async () => 'B')
    expect(flights.size).toBe(2)
    expect(await Promise.all([a, b])).toEqual(['A', 'B'])
  })

  it('forgets a key once its task resolved, so the next call runs the task again', async () => {
    const flights = new SingleFlight<number>()
    let calls = 0
    const task = async () => ++calls
    expect(await flights.run('a', task)).toBe(1)
    expect(flights.size).toBe(0)
    expect(await flights.run('a', task)).toBe(2)
  })

  it('forgets a key once its task rejected, and every sharer sees the same error', async () => {
    const flights = new SingleFlight<number>()
    const gate = deferred<number>()
    const failure = new Error('upstream down')
    const first = flights.run('a', () => gate.promise)
    const second = flights.run('a', () => Promise.resolve(0))
    gate.reject(failure)
    await expect(first).rejects.toBe(failure)
    await expect(second).rejects.toBe(failure)
    expect(flights.size).toBe(0)
    expect(await flights.run('a', async () => 7)).toBe(7)
  })
})
