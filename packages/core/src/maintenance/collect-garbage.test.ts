import { mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFsStore } from '../store/fs-store.js'
import type { CacheStore } from '../store/types.js'
import { collectGarbage } from './collect-garbage.js'

let root: string
let store: CacheStore
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'larder-gc-'))
  store = createFsStore({ dir: join(root, 'store') })
})
afterEach(async () => {
  await store.close()
  await rm(root, { recursive: true, force: true })
})

const HOUR = 3_600_000
const blobFile = (sha256: string) => join(root, 'store', 'blobs', 'sha256', sha256.slice(0, 2), sha256)
/** Makes a blob look stored `ms` ago, as one stored before the last hour would. */
async function age(sha256: string, ms: number) {
  const then = new Date(Date.now() - ms)
  await utimes(blobFile(sha256), then, then)
}

describe('collectGarbage', () => {
  it('deletes old blobs no entry references, keeps bodies and parts that are, and young ones', async () => {
    const body = await store.putBlob(Buffer.from('current packument'))
    const part = await store.putBlob(Buffer.from('current abbreviated'))
    const superseded = await store.putBlob(Buffer.from('superseded packument, a longer body'))
    const inFlight = await store.putBlob(Buffer.from('a commit in flight: its entry is not written yet'))
    await store.putEntry({ key: 'npm:packument:a', status: 'ok', fetchedAt: 1, blob: body.sha256, size: body.size, parts: { abbreviated: part } })
    for (const blob of [body, part, superseded]) await age(blob.sha256, 2 * HOUR)

    const dry = await collectGarbage(store, { dryRun: true })
    expect(dry).toMatchObject({ entries: 1, referenced: 2, deleted: 1, freedBytes: superseded.size, young: 1 })
    expect(await store.statBlob(superseded.sha256)).toBeDefined()

    const done = await collectGarbage(store)
    expect(done).toMatchObject({ deleted: 1, young: 1 })
    expect(await store.statBlob(superseded.sha256)).toBeUndefined()
    for (const kept of [body, part, inFlight]) expect(await store.statBlob(kept.sha256)).toBeDefined()
  })

  it('spares an old unreferenced blob that a commit stores again before the sweep reaches it', async () => {
    const reused = await store.putBlob(Buffer.from('bytes an earlier version had, published again'))
    await age(reused.sha256, 2 * HOUR)
    // The commit: blob stored again (its time moves), then its entry; the gc's mark may have missed the entry.
    await store.putBlob(Buffer.from('bytes an earlier version had, published again'))
    expect(await collectGarbage(store)).toMatchObject({ deleted: 0, young: 1 })
    expect(await store.statBlob(reused.sha256)).toBeDefined()
  })
})
