import { afterEach, describe, expect, it } from 'vitest'
import { commitPublish } from './commit-publish.js'
import { createMemoryStore } from './memory-store.js'
import type { CacheEntry, CacheStore } from './types.js'

const entry = (key: string): CacheEntry => ({ key, status: 'ok', fetchedAt: 1 })
let store: CacheStore

afterEach(async () => {
  await store?.close()
})

describe('commitPublish', () => {
  it('writes the artifacts, then the index', async () => {
    store = createMemoryStore()
    const order: string[] = []
    const put = store.putEntry.bind(store)
    store.putEntry = async (e) => {
      order.push(e.key)
      await put(e)
    }
    await commitPublish(store, [entry('t:a'), entry('t:b')], entry('t:index'))
    expect(order).toEqual(['t:a', 't:b', 't:index'])
  })

  it('takes the artifacts back when the index write fails', async () => {
    store = createMemoryStore()
    const put = store.putEntry.bind(store)
    store.putEntry = async (e) => {
      if (e.key === 't:index') throw new Error('disk full')
      await put(e)
    }
    await expect(commitPublish(store, [entry('t:a'), entry('t:b')], entry('t:index'))).rejects.toThrow('disk full')
    expect(await store.getEntry('t:a')).toBeUndefined()
    expect(await store.getEntry('t:b')).toBeUndefined()
  })
})
