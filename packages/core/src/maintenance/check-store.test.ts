import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFsStore } from '../store/fs-store.js'
import type { CacheStore } from '../store/types.js'
import { checkStore } from './check-store.js'

let root: string
let store: CacheStore
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'larder-fsck-'))
  store = createFsStore({ dir: join(root, 'store') })
})
afterEach(async () => {
  await store.close()
  await rm(root, { recursive: true, force: true })
})

const blobFile = (sha256: string) => join(root, 'store', 'blobs', 'sha256', sha256.slice(0, 2), sha256)

describe('checkStore', () => {
  it('finds a flipped byte, quarantines the blob, and names the entries that lost their file, hosted or mirrored', async () => {
    const good = await store.putBlob(Buffer.from('a good tarball'))
    const bad = await store.putBlob(Buffer.from('a tarball that will rot'))
    await store.putEntry({ key: 'npm:tarball:a/-/a-1.0.0.tgz', status: 'ok', fetchedAt: 1, blob: good.sha256, size: good.size })
    await store.putEntry({ key: 'npm:tarball:b/-/b-1.0.0.tgz', status: 'ok', fetchedAt: 1, blob: bad.sha256, size: bad.size })
    await store.putEntry({ key: 'npm-private:tarball:c/-/c-1.0.0.tgz', status: 'ok', fetchedAt: 1, blob: bad.sha256, size: bad.size })
    const bytes = await readFile(blobFile(bad.sha256))
    bytes[3] = bytes[3]! ^ 0x01
    await writeFile(blobFile(bad.sha256), bytes)

    const clean = await checkStore(store)
    expect(clean.corrupt).toEqual([expect.objectContaining({ sha256: bad.sha256, size: bad.size })])
    expect(clean.missing).toEqual([])
    expect(await store.statBlob(bad.sha256)).toBeDefined()

    const quarantineDir = join(root, 'quarantine')
    const checked = await checkStore(store, { quarantineDir })
    expect(checked).toMatchObject({ blobs: 2, corrupt: [{ sha256: bad.sha256 }] })
    expect(await store.statBlob(bad.sha256)).toBeUndefined()
    const [kept] = await readdir(quarantineDir)
    expect((await readFile(join(quarantineDir, kept!))).equals(bytes)).toBe(true)
    expect(checked.missing).toEqual(
      expect.arrayContaining([
        { key: 'npm:tarball:b/-/b-1.0.0.tgz', sha256: bad.sha256, hosted: false },
        { key: 'npm-private:tarball:c/-/c-1.0.0.tgz', sha256: bad.sha256, hosted: true },
      ]),
    )
  })
})
