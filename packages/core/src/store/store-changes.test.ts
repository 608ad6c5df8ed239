import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '@larder/testkit'
import { withEntryCache } from './entry-cache.js'
import { createFsStore } from './fs-store.js'
import { announceStoreChange, watchStoreChanges } from './store-changes.js'

let root: string | undefined
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true })
})

describe('watchStoreChanges', () => {
  it("makes a server's entry cache forget a key it knew absent once another process writes it and announces the change", async () => {
    root = await mkdtemp(join(tmpdir(), 'larder-store-changes-'))
    const dir = join(root, 'store')
    const watch = watchStoreChanges(dir, 20)
    const server = withEntryCache(createFsStore({ dir }), { externalChanges: watch })
    const importer = createFsStore({ dir })
    expect(await server.getEntry('npm:imported')).toBeUndefined()
    await importer.putEntry({ key: 'npm:imported', status: 'ok', fetchedAt: 1 })
    // Without news of the write, the cached "absent" stands.
    expect(await server.getEntry('npm:imported')).toBeUndefined()
    await announceStoreChange(dir)
    await waitFor(async () => (await server.getEntry('npm:imported'))?.status === 'ok', { description: 'the imported entry to be seen' })
    watch.close()
    await server.close()
    await importer.close()
  })
})
