import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isLarderError } from '../errors/larder-error.js'
import { runStoreComplianceSuite } from './compliance.suite.js'
import { createFsStore, DEFAULT_TMP_MAX_AGE_MS } from './fs-store.js'
import type { CacheEntry } from './types.js'

runStoreComplianceSuite('fs store', async () => {
  const root = await mkdtemp(join(tmpdir(), 'larder-fs-store-'))
  // Nested, so that a key climbing out with '../' would land inside the sandbox and be noticed.
  const storeDir = join(root, 'a', 'b', 'c', 'store')
  return {
    store: createFsStore({ dir: storeDir }),
    cleanup: () => rm(root, { recursive: true, force: true }),
    sandbox: { root, storeDir },
    openTwin: () => createFsStore({ dir: storeDir }),
  }
})

describe('createFsStore', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'larder-fs-store-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')
  const entry: CacheEntry = { key: 'npm:left-pad', status: 'ok', fetchedAt: 1 }

  it('lays files out as blobs/sha256/<ab>/<hex>, entries/<namespace>/<ab>/<sha256 of key>.json and tmp/', async () => {
    const store = createFsStore({ dir })
    const { sha256 } = await store.putBlob(Buffer.from('hello'))
    await store.putEntry(entry)
    const keyHash = sha256Hex(entry.key)
    expect(existsSync(join(dir, 'blobs', 'sha256', sha256.slice(0, 2), sha256))).toBe(true)
    expect(existsSync(join(dir, 'entries', 'npm', keyHash.slice(0, 2), `${keyHash}.json`))).toBe(true)
    expect(dirname(store.spoolDir)).toBe(join(dir, 'tmp'))
    expect(await readdir(store.spoolDir)).toEqual([])
  })

  it('keeps entries and blobs across reopening', async () => {
    const first = createFsStore({ dir })
    const { sha256 } = await first.putBlob(Buffer.from('persisted'))
    await first.putEntry({ ...entry, blob: sha256 })
    await first.close()
    const second = createFsStore({ dir })
    expect(await second.getEntry(entry.key)).toEqual({ ...entry, blob: sha256 })
    expect(await second.statBlob(sha256)).toEqual({ sha256, size: 9 })
  })

  it('sweeps loose temp files older than the max age and ownerless folders on open, and keeps newer loose files', async () => {
    const tmp = join(dir, 'tmp')
    await mkdir(join(tmp, 'ownerless-folder'), { recursive: true })
    await writeFile(join(tmp, 'old-download'), 'partial')
    await writeFile(join(tmp, 'ownerless-folder', 'part'), 'partial')
    await writeFile(join(tmp, 'fresh-download'), 'in progress')
    const old = new Date(Date.now() - DEFAULT_TMP_MAX_AGE_MS - 60_000)
    await utimes(join(tmp, 'old-download'), old, old)
    const store = createFsStore({ dir })
    const own = basename(store.spoolDir)
    expect((await readdir(tmp)).sort()).toEqual(['fresh-download', own, `${own}.owner`].sort())
    await store.close()
    expect(await readdir(tmp)).toEqual(['fresh-download'])
  })

  it('takes the temp max age from tmpMaxAgeMs', async () => {
    const tmp = join(dir, 'tmp')
    await mkdir(tmp, { recursive: true })
    await writeFile(join(tmp, 'ten-minutes-old'), 'partial')
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000)
    await utimes(join(tmp, 'ten-minutes-old'), tenMinutesAgo, tenMinutesAgo)
    await createFsStore({ dir }).close()
    expect(await readdir(tmp)).toEqual(['ten-minutes-old'])
    await createFsStore({ dir, tmpMaxAgeMs: 5 * 60_000 }).close()
    expect(await readdir(tmp)).toEqual([])
  })

  it('never shows a half-written entry: a temp file left by a crash is invisible', async () => {
    const store = createFsStore({ dir })
    await store.putEntry(entry)
    // What a crash between write and rename leaves behind: a partial copy of the next version in tmp/.
    const next = JSON.stringify({ ...entry, fetchedAt: 2, meta: { big: 'x'.repeat(1000) } })
    await writeFile(join(store.spoolDir, 'crashed.tmp'), next.slice(0, next.length / 2))
    await writeFile(join(store.spoolDir, sha256Hex(entry.key)), next.slice(0, 10))
    expect(await store.getEntry(entry.key)).toEqual(entry)
    expect(await store.getEntry('npm:other')).toBeUndefined()
  })

  it('never shows a blob that is still in tmp/', async () => {
    const store = createFsStore({ dir })
    const data = Buffer.from('downloading...')
    await writeFile(join(store.spoolDir, sha256Hex(data)), data)
    expect(await store.statBlob(sha256Hex(data))).toBeUndefined()
    expect(await store.openBlob(sha256Hex(data))).toBeUndefined()
  })

  it('reports a corrupt entry file as E_STORE with a hint', async () => {
    const store = createFsStore({ dir })
    await store.putEntry(entry)
    const keyHash = sha256Hex(entry.key)
    await writeFile(join(dir, 'entries', 'npm', keyHash.slice(0, 2), `${keyHash}.json`), '{"key":')
    const error = await store.getEntry(entry.key).catch((err: unknown) => err)
    expect(isLarderError(error, 'E_STORE')).toBe(true)
    expect((error as { hint?: string }).hint).toMatch(/delete the file/)
  })

  it('validates its options', () => {
    for (const options of [{ dir: '' }, { dir, tmpMaxAgeMs: -1 }, { dir, tmpMaxAgeMs: Number.NaN }]) {
      expect(() => createFsStore(options)).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION' }))
    }
  })

  it('fails to open with E_STORE when the folder cannot be created', async () => {
    await writeFile(join(dir, 'a-file'), '')
    expect(() => createFsStore({ dir: join(dir, 'a-file', 'store') })).toThrow(expect.objectContaining({ code: 'E_STORE' }))
  })
})
