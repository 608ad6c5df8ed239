import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runStoreComplianceSuite } from './compliance.suite.js'
import { withEntryCache } from './entry-cache.js'
import { createFsStore } from './fs-store.js'
import { createMemoryStore } from './memory-store.js'
import type { CacheEntry, CacheStore } from './types.js'

runStoreComplianceSuite('entry cache over fs store', async () => {
  const root = await mkdtemp(join(tmpdir(), 'larder-entry-cache-'))
  const storeDir = join(root, 'a', 'b', 'c', 'store')
  return {
    store: withEntryCache(createFsStore({ dir: storeDir })),
    cleanup: () => rm(root, { recursive: true, force: true }),
    sandbox: { root, storeDir },
  }
})

describe('withEntryCache', () => {
  let dir: string
  let backing: CacheStore
  let cached: CacheStore
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'larder-entry-cache-'))
    backing = createFsStore({ dir })
    cached = withEntryCache(backing)
  })
  afterEach(async () => {
    await cached.close()
    await rm(dir, { recursive: true, force: true })
  })

  const entry = (key: string, fetchedAt = 1): CacheEntry => ({ key, status: 'ok', fetchedAt, meta: { tags: ['latest'] } })
  const removeEntryFiles = () => rm(join(dir, 'entries'), { recursive: true, force: true })

  it('serves a read entry from memory afterwards', async () => {
    await backing.putEntry(entry('npm:a'))
    expect(await cached.getEntry('npm:a')).toEqual(entry('npm:a'))
    await removeEntryFiles()
    expect(await cached.getEntry('npm:a')).toEqual(entry('npm:a'))
  })

  it('returns what putEntry last wrote', async () => {
    await cached.putEntry(entry('npm:a', 1))
    await cached.putEntry(entry('npm:a', 2))
    await removeEntryFiles()
    expect(await cached.getEntry('npm:a')).toEqual(entry('npm:a', 2))
  })

  it('forgets a deleted entry', async () => {
    await cached.putEntry(entry('npm:a'))
    await cached.deleteEntry('npm:a')
    expect(await cached.getEntry('npm:a')).toBeUndefined()
  })

  it('remembers absence until a write through it', async () => {
    expect(await cached.getEntry('npm:later')).toBeUndefined()
    // Written behind its back (another process): not seen, as documented.
    await backing.putEntry(entry('npm:later'))
    expect(await cached.getEntry('npm:later')).toBeUndefined()
    await cached.putEntry(entry('npm:later', 2))
    expect(await cached.getEntry('npm:later')).toEqual(entry('npm:later', 2))
  })

  it('hands out frozen entries: neither the writer nor a reader can change the cached one', async () => {
    const written = entry('npm:a')
    await cached.putEntry(written)
    ;(written.meta!.tags as string[]).push('mutated-after-put')
    const got = await cached.getEntry('npm:a')
    expect(() => (got!.meta!.tags as string[]).push('mutated-after-get')).toThrow(TypeError)
    expect(() => (got!.fetchedAt = 999)).toThrow(TypeError)
    await removeEntryFiles()
    expect(await cached.getEntry('npm:a')).toEqual(entry('npm:a'))
  })

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const small = withEntryCache(backing, { maxEntries: 2 })
    await small.putEntry(entry('npm:a'))
    await small.putEntry(entry('npm:b'))
    await small.getEntry('npm:a')
    await small.putEntry(entry('npm:c'))
    await removeEntryFiles()
    expect(await small.getEntry('npm:a')).toEqual(entry('npm:a'))
    expect(await small.getEntry('npm:c')).toEqual(entry('npm:c'))
    expect(await small.getEntry('npm:b')).toBeUndefined()
  })

  it('does not cache a read that a write overtook', async () => {
    // A real memory store whose reads pause after reading, so a write can land in between.
    const inner = createMemoryStore()
    let readDone!: () => void
    const readReached = new Promise<void>((resolve) => (readDone = resolve))
    let releaseRead!: () => void
    const readReleased = new Promise<void>((resolve) => (releaseRead = resolve))
    const slowReads: CacheStore = Object.assign(Object.create(null), inner, {
      spoolDir: inner.spoolDir,
      async getEntry(key: string) {
        const found = await inner.getEntry(key)
        readDone()
        await readReleased
        return found
      },
    })
    const store = withEntryCache(slowReads)
    try {
      await inner.putEntry(entry('npm:a', 1))
      const staleRead = store.getEntry('npm:a')
      await readReached
      await store.putEntry(entry('npm:a', 2))
      releaseRead()
      expect(await staleRead).toEqual(entry('npm:a', 1))
      // The read finished last but holds v1; had it filled the cache, v1 would be served from now on.
      expect(await store.getEntry('npm:a')).toEqual(entry('npm:a', 2))
      expect(await inner.getEntry('npm:a')).toEqual(entry('npm:a', 2))
    } finally {
      await store.close()
    }
  })

  it('validates its options', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      expect(() => withEntryCache(backing, { maxEntries })).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION' }))
    }
  })
})
