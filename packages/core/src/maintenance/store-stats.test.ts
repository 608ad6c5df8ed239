import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/memory-store.js'
import { storeStats } from './store-stats.js'

describe('storeStats', () => {
  it('counts entries and bytes per ecosystem, hosted apart from mirrored, and the blobs nothing references', async () => {
    const store = createMemoryStore()
    const tarball = await store.putBlob(Buffer.alloc(1000, 1))
    const own = await store.putBlob(Buffer.alloc(300, 2))
    const orphan = await store.putBlob(Buffer.alloc(50, 3))
    await store.putEntry({ key: 'npm:tarball:a/-/a-1.0.0.tgz', status: 'ok', fetchedAt: 1, blob: tarball.sha256, size: 1000 })
    await store.putEntry({ key: 'npm:packument:missing', status: 'missing', fetchedAt: 1 })
    await store.putEntry({ key: 'npm-private:tarball:b/-/b-1.0.0.tgz', status: 'ok', fetchedAt: 1, blob: own.sha256, size: 300 })
    await store.putEntry({ key: 'files-hosted:file:builds/x', status: 'ok', fetchedAt: 1, blob: own.sha256, size: 300 })
    const stats = await storeStats(store)
    expect(stats.ecosystems.npm).toEqual({ mirrored: { entries: 2, withBody: 1, bytes: 1000 }, hosted: { entries: 1, withBody: 1, bytes: 300 } })
    expect(stats.ecosystems.files!.hosted).toEqual({ entries: 1, withBody: 1, bytes: 300 })
    expect(stats.blobs).toEqual({ count: 3, bytes: 1350, unreferencedCount: 1, unreferencedBytes: orphan.size })
    await store.close()
  })
})
