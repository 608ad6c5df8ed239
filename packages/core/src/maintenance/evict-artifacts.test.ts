import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/memory-store.js'
import type { CacheStore } from '../store/types.js'
import { ACCESS_PREFIX } from './access-log.js'
import { evictArtifacts } from './evict-artifacts.js'
import { savePin } from './pins.js'

async function artifact(store: CacheStore, key: string, bytes: string, fetchedAt: number, servedAt?: number) {
  const blob = await store.putBlob(Buffer.from(bytes))
  await store.putEntry({ key, status: 'ok', fetchedAt, blob: blob.sha256, size: blob.size, meta: { artifact: true } })
  if (servedAt !== undefined) await store.putEntry({ key: ACCESS_PREFIX + key, status: 'ok', fetchedAt: servedAt })
  return blob
}

describe('evictArtifacts', () => {
  it('evicts the least recently served mirrored artifacts until under the limit, sparing hosted, pinned and index entries', async () => {
    const store = createMemoryStore()
    await artifact(store, 'npm:tarball:old', 'x'.repeat(100), 1, 10)
    await artifact(store, 'npm:tarball:pinned', 'p'.repeat(100), 1, 5)
    const shared = await artifact(store, 'npm:tarball:served-late', 'y'.repeat(100), 2, 50)
    await artifact(store, 'npm:tarball:never-served', 'z'.repeat(100), 20)
    await store.putEntry({ key: 'npm:tarball:same-bytes', status: 'ok', fetchedAt: 1, blob: shared.sha256, size: shared.size })
    const own = await store.putBlob(Buffer.from('h'.repeat(500)))
    await store.putEntry({ key: 'npm-private:tarball:own', status: 'ok', fetchedAt: 0, blob: own.sha256, size: own.size, meta: { artifact: true } })
    const packages = await store.putBlob(Buffer.from('Package: x\n'))
    await store.putEntry({ key: 'apt:index:sha256:aa', status: 'ok', fetchedAt: 0, blob: packages.sha256, size: 2000, meta: { artifact: true, index: true } })
    const doc = await store.putBlob(Buffer.from('{}'))
    await store.putEntry({ key: 'npm:packument:x', status: 'ok', fetchedAt: 0, blob: doc.sha256, size: doc.size })
    await savePin(store, { source: 'package-lock.json', sha256: 'ab'.repeat(32), by: 'prefetch', keys: ['npm:tarball:pinned'] })

    const dry = await evictArtifacts(store, { maxBytes: 250, dryRun: true })
    expect(dry).toMatchObject({ before: 400, after: 200, evicted: ['npm:tarball:old', 'npm:tarball:never-served'] })
    expect(await store.getEntry('npm:tarball:old')).toBeDefined()

    const done = await evictArtifacts(store, { maxBytes: 250 })
    expect(done.evicted).toEqual(['npm:tarball:old', 'npm:tarball:never-served'])
    for (const gone of ['npm:tarball:old', 'npm:tarball:never-served', `${ACCESS_PREFIX}npm:tarball:old`]) expect(await store.getEntry(gone)).toBeUndefined()
    for (const kept of ['npm:tarball:pinned', 'npm:tarball:served-late', 'npm-private:tarball:own', 'npm:packument:x'])
      expect(await store.getEntry(kept)).toBeDefined()

    // Not served for a while: goes whatever the size, unless its bytes are another entry's too.
    const unused = await evictArtifacts(store, { unusedMs: 10, now: () => 100 })
    expect(unused.evicted).toEqual(['npm:tarball:served-late'])
    expect(await store.statBlob(shared.sha256)).toBeDefined()
    await store.close()
  })

  it('deletes the bytes of what it evicts, but not bytes another key committed again while it walked the entries', async () => {
    let clock = 1_000_000_000
    const store = createMemoryStore({ now: () => clock })
    const reused = await artifact(store, 'npm:tarball:a', 'a'.repeat(100), clock, clock)
    const alone = await artifact(store, 'npm:tarball:b', 'b'.repeat(100), clock, clock)
    clock += 3_600_000
    // A publish on another replica stores the same bytes as `a` and commits its entry after the walk went by.
    const racing: CacheStore = {
      ...store,
      async *listEntries(prefix) {
        yield* store.listEntries(prefix)
        if (prefix !== '') return
        const again = await store.putBlob(Buffer.from('a'.repeat(100)))
        await store.putEntry({ key: 'npm-private:tarball:mine', status: 'ok', fetchedAt: clock, blob: again.sha256, size: again.size })
      },
    }
    const done = await evictArtifacts(racing, { maxBytes: 0, now: () => clock })
    expect(done.evicted.sort()).toEqual(['npm:tarball:a', 'npm:tarball:b'])
    expect(await store.statBlob(alone.sha256)).toBeUndefined()
    expect(await store.statBlob(reused.sha256)).toEqual({ sha256: reused.sha256, size: 100 })
    await store.close()
  })
})
