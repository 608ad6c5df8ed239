import { describe, expect, it } from 'vitest'
import { KeyedMutex } from './keyed-mutex.js'

describe('KeyedMutex', () => {
  it('runs tasks of one key in order, one at a time, even after a failure', async () => {
    const mutex = new KeyedMutex()
    const log: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const first = mutex.run('a', async () => {
      log.push('first start')
      await gate
      log.push('first end')
      throw new Error('boom')
    })
    const second = mutex.run('a', async () => {
      log.push('second')
      return 2
    })
    const other = mutex.run('b', async () => {
      log.push('other')
      return 3
    })
    expect(await other).toBe(3)
    release()
    await expect(first).rejects.toThrow('boom')
    expect(await second).toBe(2)
    expect(log).toEqual(['first start', 'other', 'first end', 'second'])
    await Promise.resolve()
    expect(mutex.size).toBe(0)
  })
})
