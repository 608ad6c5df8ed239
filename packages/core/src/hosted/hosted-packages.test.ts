import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/index.js'
import type { CacheEntry } from '../store/types.js'
import { HostedPackages } from './hosted-packages.js'

const file = (key: string): CacheEntry => ({ key, status: 'ok', fetchedAt: 1, blob: 'a'.repeat(64), size: 1 })

describe('HostedPackages', () => {
  it('owns reserved names and published ones, and keeps owning after a removal', async () => {
    const store = createMemoryStore()
    const hosted = new HostedPackages({ store, documentPrefix: 'demo-private:doc:', isReserved: (name) => name === 'listed' })
    expect(await hosted.owns('listed')).toBe(true)
    expect(await hosted.owns('mine')).toBe(false)
    await hosted.change('mine', () =>
      hosted.commit('mine', [file('demo-private:file:mine/1')], { fetchedAt: 5, contentType: 'application/json' }, Buffer.from('{"v":[1]}')),
    )
    expect(await hosted.owns('mine')).toBe(true)
    expect((await hosted.document<{ v: number[] }>('mine'))?.doc).toEqual({ v: [1] })
    expect(await hosted.entry('demo-private:file:mine/1')).toMatchObject({ status: 'ok' })
    const names: string[] = []
    for await (const name of hosted.names()) names.push(name)
    expect(names).toEqual(['mine'])
    await store.putEntry({ key: 'demo-private:doc:mine', status: 'missing', fetchedAt: 6 })
    expect(await hosted.documentEntry('mine')).toBeUndefined()
    expect(await hosted.owns('mine')).toBe(true)
  })

  it('runs changes of one name one at a time, other names alongside', async () => {
    const hosted = new HostedPackages({ store: createMemoryStore(), documentPrefix: 'demo-private:doc:' })
    const order: string[] = []
    let releaseFirst!: () => void
    const first = hosted.change('a', async () => {
      order.push('a1 start')
      await new Promise<void>((resolve) => {
        releaseFirst = resolve
      })
      order.push('a1 end')
    })
    const second = hosted.change('a', async () => {
      order.push('a2')
    })
    await hosted.change('b', async () => {
      order.push('b')
    })
    releaseFirst()
    await Promise.all([first, second])
    expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2'])
  })

  it('takes the files back when the document cannot be written', async () => {
    const store = createMemoryStore()
    const failing = {
      ...store,
      spoolDir: store.spoolDir,
      putEntry: async (entry: CacheEntry) => {
        if (entry.key.startsWith('demo-private:doc:')) throw new Error('disk full')
        return store.putEntry(entry)
      },
    }
    const hosted = new HostedPackages({ store: failing, documentPrefix: 'demo-private:doc:' })
    await expect(hosted.commit('x', [file('demo-private:file:x/1')], { fetchedAt: 1 }, Buffer.from('{}'))).rejects.toThrow('disk full')
    expect(await store.getEntry('demo-private:file:x/1')).toBeUndefined()
    expect(await hosted.owns('x')).toBe(false)
  })
})
