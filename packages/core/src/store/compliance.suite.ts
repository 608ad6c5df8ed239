/** The contract every CacheStore backend must pass; each backend's test file runs it against a fresh store. */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isLarderError } from '../errors/larder-error.js'
import type { CacheEntry, CacheStore } from './types.js'

export interface StoreUnderTest {
  store: CacheStore
  cleanup: () => Promise<void>
  /** For backends that write files: the store's folder and a folder around it where nothing else may appear. */
  sandbox?: { root: string; storeDir: string }
  /** Another handle on the same backing store, as a second replica or process would open it (closed by the suite). */
  openTwin?: () => CacheStore
}

const HOSTILE_KEYS = [
  'npm:a/b/c',
  'npm:../../../../escaped',
  'npm:..',
  'npm:/etc/passwd',
  'npm:..\\..\\..\\escaped',
  'npm:%2e%2e%2f%2e%2e%2fescaped',
  'npm:%2e%2e/%2e%2e/escaped',
  'npm:ünïcødé/日本語/😀',
  'npm:Same-Name',
  'npm:same-name',
  'npm:',
  `npm:${'x'.repeat(2000)}`,
  `npm:${'../'.repeat(600)}`,
]

export interface ComplianceOptions {
  /** The backend has putEntries (all or nothing), which the suite then checks. */
  atomicBatches?: boolean
}

export function runStoreComplianceSuite(name: string, makeStore: () => Promise<StoreUnderTest>, options: ComplianceOptions = {}): void {
  describe(`CacheStore compliance: ${name}`, () => {
    let subject: StoreUnderTest
    let store: CacheStore
    beforeEach(async () => {
      subject = await makeStore()
      store = subject.store
    })
    afterEach(async () => {
      await store.close()
      await subject.cleanup()
    })

    describe('entries', () => {
      it('round-trips every field, including meta and parts', async () => {
        const entry = fullEntry('npm:left-pad')
        await store.putEntry(entry)
        expect(await store.getEntry('npm:left-pad')).toEqual(entry)
      })

      it('replaces the whole entry on putEntry', async () => {
        await store.putEntry(fullEntry('npm:left-pad'))
        const replacement: CacheEntry = { key: 'npm:left-pad', status: 'missing', fetchedAt: 42 }
        await store.putEntry(replacement)
        expect(await store.getEntry('npm:left-pad')).toEqual(replacement)
      })

      it('returns undefined for an unknown key', async () => {
        expect(await store.getEntry('npm:never-stored')).toBeUndefined()
      })

      it('deletes an entry, and deleting an absent one is not an error', async () => {
        await store.putEntry(fullEntry('npm:gone'))
        await store.deleteEntry('npm:gone')
        expect(await store.getEntry('npm:gone')).toBeUndefined()
        await store.deleteEntry('npm:gone')
      })

      it('keeps keys that look like paths apart and never writes outside its folder', async () => {
        const before = subject.sandbox ? await filesOutside(subject.sandbox) : []
        for (const [i, key] of HOSTILE_KEYS.entries()) await store.putEntry({ key, status: 'ok', fetchedAt: i })
        for (const [i, key] of HOSTILE_KEYS.entries()) {
          expect(await store.getEntry(key), key.slice(0, 40)).toEqual({ key, status: 'ok', fetchedAt: i })
        }
        expect((await collect(store.listEntries('npm:'))).sort()).toEqual([...HOSTILE_KEYS].sort())
        if (subject.sandbox) expect(await filesOutside(subject.sandbox)).toEqual(before)
      })

      it('refuses keys without a valid namespace', async () => {
        for (const key of ['no-namespace', ':x', 'NPM:x', '../x:y', 'a/b:c', '-npm:x', `${'n'.repeat(65)}:x`]) {
          await expectStoreError(store.putEntry({ key, status: 'ok', fetchedAt: 1 }), key)
          await expectStoreError(store.getEntry(key), key)
          await expectStoreError(store.deleteEntry(key), key)
        }
      })

      it('lists only the keys that start with the prefix, and every key for an empty prefix', async () => {
        for (const key of ['npm:foo', 'npm:foobar', 'npm:bar', 'pypi:foo', 'npm-extra:foo']) {
          await store.putEntry({ key, status: 'ok', fetchedAt: 1 })
        }
        expect((await collect(store.listEntries('npm:foo'))).sort()).toEqual(['npm:foo', 'npm:foobar'])
        expect((await collect(store.listEntries('npm:'))).sort()).toEqual(['npm:bar', 'npm:foo', 'npm:foobar'])
        expect(await collect(store.listEntries('gems:'))).toEqual([])
        expect((await collect(store.listEntries(''))).sort()).toEqual(['npm-extra:foo', 'npm:bar', 'npm:foo', 'npm:foobar', 'pypi:foo'])
        await store.deleteEntry('npm:foobar')
        expect(await collect(store.listEntries('npm:foo'))).toEqual(['npm:foo'])
      })

      it('refuses a listing prefix without a namespace', async () => {
        await expectStoreError(collect(store.listEntries('npm')), 'npm')
        await expectStoreError(collect(store.listEntries('../:')), '../:')
      })

      it('leaves one whole entry when the same key is written concurrently', async () => {
        const writes = Array.from({ length: 25 }, (_, i) => ({ ...fullEntry('npm:racy'), fetchedAt: i, meta: { writer: i } }))
        await Promise.all(writes.map((entry) => store.putEntry(entry)))
        const stored = await store.getEntry('npm:racy')
        expect(writes).toContainEqual(stored)
      })
    })

    // Registered only for backends that have putEntries: the others write one entry at a time.
    if (options.atomicBatches) {
      describe('several entries at once (putEntries)', () => {
        it('writes every entry, or none when one of them cannot be stored', async () => {
          expect(store.putEntries).toBeTypeOf('function')
          const batch = [fullEntry('npm:batch-a'), { key: 'npm:batch-b', status: 'missing' as const, fetchedAt: 7 }]
          await store.putEntries!(batch)
          expect(await store.getEntry('npm:batch-a')).toEqual(batch[0])
          expect(await store.getEntry('npm:batch-b')).toEqual(batch[1])
          // A NUL cannot be stored in a key (PostgreSQL text refuses it): the first entry must not stay written either.
          await expectStoreError(store.putEntries!([fullEntry('npm:batch-c'), { key: 'npm:batch-\u0000', status: 'ok', fetchedAt: 1 }]), 'NUL key')
          expect(await store.getEntry('npm:batch-c')).toBeUndefined()
        })

        it('writes a fenced batch only while the entry it was read against is unchanged (absent counts), else E_CONFLICT and nothing', async () => {
          const doc = fullEntry('npm:fence-doc')
          await store.putEntries!([doc], { unchanged: { key: doc.key, entry: undefined } })
          const read = await store.getEntry(doc.key)
          const next = { ...doc, fetchedAt: doc.fetchedAt + 1 }
          await store.putEntries!([fullEntry('npm:fence-file'), next], { unchanged: { key: doc.key, entry: read } })
          expect(await store.getEntry(doc.key)).toEqual(next)
          // `read` is stale now: a writer still holding it is refused, its file entry too.
          const refused = store.putEntries!([fullEntry('npm:fence-late'), { ...doc, fetchedAt: 99 }], { unchanged: { key: doc.key, entry: read } })
          await expect(refused).rejects.toMatchObject({ code: 'E_CONFLICT' })
          await expect(store.putEntries!([doc], { unchanged: { key: doc.key, entry: undefined } })).rejects.toMatchObject({ code: 'E_CONFLICT' })
          expect(await store.getEntry('npm:fence-late')).toBeUndefined()
          expect(await store.getEntry(doc.key)).toEqual(next)
        })
      })
    }

    describe('two writers', () => {
      it('stores one intact blob when two handles ingest the same bytes at once', async () => {
        const twin = subject.openTwin?.() ?? store
        try {
          const data = randomBytes(256 * 1024)
          const info = { sha256: sha256Hex(data), size: data.byteLength }
          const writes = [store, twin, store, twin].map(async (handle, i) => {
            const localPath = join(handle.spoolDir, `racing-${i}`)
            await writeFile(localPath, data)
            await handle.ingestBlob(localPath, info)
          })
          await Promise.all(writes)
          for (const handle of [store, twin]) {
            expect(await handle.statBlob(info.sha256)).toEqual(info)
            expect(sha256Hex(await readAll(await handle.openBlob(info.sha256)))).toBe(info.sha256)
          }
        } finally {
          if (twin !== store) await twin.close()
        }
      })

      it('leaves one whole entry when two handles write the same key at once, and each reads what the other wrote', async () => {
        const twin = subject.openTwin?.() ?? store
        try {
          const writes = Array.from({ length: 20 }, (_, i) => ({ ...fullEntry('npm:two-writers'), fetchedAt: i, meta: { writer: i } }))
          await Promise.all(writes.map((entry, i) => (i % 2 ? twin : store).putEntry(entry)))
          const seen = await store.getEntry('npm:two-writers')
          expect(writes).toContainEqual(seen)
          expect(await twin.getEntry('npm:two-writers')).toEqual(seen)
          await twin.putEntry({ key: 'npm:two-writers', status: 'missing', fetchedAt: 99 })
          expect(await store.getEntry('npm:two-writers')).toEqual({ key: 'npm:two-writers', status: 'missing', fetchedAt: 99 })
          await store.deleteEntry('npm:two-writers')
          expect(await twin.getEntry('npm:two-writers')).toBeUndefined()
        } finally {
          if (twin !== store) await twin.close()
        }
      })

      it('stores one blob when the same small body is put many times at once', async () => {
        const data = Buffer.from(`same body ${randomBytes(8).toString('hex')}`)
        const infos = await Promise.all(Array.from({ length: 10 }, () => store.putBlob(data)))
        for (const info of infos) expect(info).toEqual({ sha256: sha256Hex(data), size: data.byteLength })
        expect(await readAll(await store.openBlob(sha256Hex(data)))).toEqual(data)
      })
    })

    describe('probe', () => {
      it('resolves on a healthy store, again and again', async () => {
        await store.probe()
        await store.putEntry(fullEntry('npm:after-probe'))
        await store.probe()
        expect(await store.getEntry('npm:after-probe')).toBeDefined()
      })
    })

    describe('blobs', () => {
      it('stores bytes under their sha256 and returns exactly them', async () => {
        const data = new TextEncoder().encode('{"name":"left-pad"}')
        const info = await store.putBlob(data)
        expect(info).toEqual({ sha256: sha256Hex(data), size: data.byteLength })
        expect(await store.putBlob(data)).toEqual(info)
        expect(await store.statBlob(info.sha256)).toEqual(info)
        expect(await readAll(await store.openBlob(info.sha256))).toEqual(Buffer.from(data))
      })

      it('returns exactly bytes start..end (inclusive) for a range', async () => {
        const data = Buffer.from('0123456789abcdef')
        const { sha256 } = await store.putBlob(data)
        expect((await readAll(await store.openBlob(sha256, { start: 3, end: 7 }))).toString()).toBe('34567')
        expect((await readAll(await store.openBlob(sha256, { start: 0, end: 0 }))).toString()).toBe('0')
        expect((await readAll(await store.openBlob(sha256, { start: 10, end: 15 }))).toString()).toBe('abcdef')
      })

      it('reports an absent blob as undefined', async () => {
        const absent = sha256Hex(Buffer.from('never stored'))
        expect(await store.statBlob(absent)).toBeUndefined()
        expect(await store.openBlob(absent)).toBeUndefined()
        expect(await store.openBlob(absent, { start: 0, end: 1 })).toBeUndefined()
      })

      it('ingests a file from spoolDir and takes it away from there', async () => {
        const data = randomBytes(4096)
        const info = { sha256: sha256Hex(data), size: data.byteLength }
        const localPath = join(store.spoolDir, 'download-1')
        await writeFile(localPath, data)
        await store.ingestBlob(localPath, info)
        expect(existsSync(localPath)).toBe(false)
        expect(await store.statBlob(info.sha256)).toEqual(info)
        expect(await readAll(await store.openBlob(info.sha256))).toEqual(data)

        const again = join(store.spoolDir, 'download-2')
        await writeFile(again, data)
        await store.ingestBlob(again, info)
        expect(existsSync(again)).toBe(false)
        expect(await readAll(await store.openBlob(info.sha256))).toEqual(data)
      })

      it('refuses to ingest a file of the wrong size and stores nothing', async () => {
        const data = randomBytes(100)
        const info = { sha256: sha256Hex(data), size: 101 }
        const localPath = join(store.spoolDir, 'truncated')
        await writeFile(localPath, data)
        await expectStoreError(store.ingestBlob(localPath, info), 'wrong size')
        expect(await store.statBlob(info.sha256)).toBeUndefined()
        expect(await store.openBlob(info.sha256)).toBeUndefined()
        expect(existsSync(localPath)).toBe(false)
      })

      it('deletes a blob, and deleting an absent one is not an error', async () => {
        const { sha256 } = await store.putBlob(Buffer.from('short-lived'))
        await store.deleteBlob(sha256)
        expect(await store.statBlob(sha256)).toBeUndefined()
        expect(await store.openBlob(sha256)).toBeUndefined()
        await store.deleteBlob(sha256)
      })

      it('lists every blob with its size, and a blob stored again counts as stored again', async () => {
        const a = await store.putBlob(Buffer.from('listed a'))
        const b = await store.putBlob(Buffer.from('listed bb'))
        const listed = async () => {
          const all = new Map<string, { size: number; storedAt: number }>()
          for await (const blob of store.listBlobs()) all.set(blob.sha256, blob)
          return all
        }
        const first = await listed()
        expect(first.get(a.sha256)?.size).toBe(a.size)
        expect(first.get(b.sha256)?.size).toBe(b.size)
        const before = first.get(a.sha256)!.storedAt
        await waitForClockTick(before)
        await store.putBlob(Buffer.from('listed a'))
        expect((await listed()).get(a.sha256)!.storedAt).toBeGreaterThan(before)
        await store.deleteBlob(b.sha256)
        expect((await listed()).has(b.sha256)).toBe(false)
      })

      it('refuses sha256 strings that are not 64 lowercase hex characters', async () => {
        const valid = sha256Hex(Buffer.from('x'))
        const invalid = ['../x', valid.toUpperCase(), valid.slice(0, 63), `${valid}0`, `../${valid.slice(3)}`, `${valid.slice(0, 62)}/x`, '']
        const localPath = join(store.spoolDir, 'candidate')
        for (const sha256 of invalid) {
          await expectStoreError(store.statBlob(sha256), sha256)
          await expectStoreError(store.openBlob(sha256), sha256)
          await expectStoreError(store.deleteBlob(sha256), sha256)
          await writeFile(localPath, 'x')
          await expectStoreError(store.ingestBlob(localPath, { sha256, size: 1 }), sha256)
        }
      })

      it('round-trips a 5 MB blob, whole and by range', async () => {
        const data = randomBytes(5 * 1024 * 1024)
        const info = await store.putBlob(data)
        expect(info).toEqual({ sha256: sha256Hex(data), size: data.byteLength })
        const whole = await readAll(await store.openBlob(info.sha256))
        expect(whole.byteLength).toBe(data.byteLength)
        expect(sha256Hex(whole)).toBe(info.sha256)
        const tail = await readAll(await store.openBlob(info.sha256, { start: data.byteLength - 1000, end: data.byteLength - 1 }))
        expect(tail).toEqual(data.subarray(data.byteLength - 1000))
      })
    })
  })
}

function fullEntry(key: string): CacheEntry {
  return {
    key,
    status: 'ok',
    fetchedAt: 1_700_000_000_000,
    blob: 'a'.repeat(64),
    size: 1234,
    contentType: 'application/json',
    etag: 'W/"abc"',
    lastModified: 'Tue, 14 Nov 2023 22:13:20 GMT',
    upstreamHash: 'b'.repeat(64),
    parts: { abbreviated: { sha256: 'c'.repeat(64), size: 321 } },
    meta: { versions: ['1.0.0', '1.0.1'], nested: { deprecated: false, count: 2 }, note: 'ünïcødé' },
  }
}

async function expectStoreError(operation: Promise<unknown>, label: string): Promise<void> {
  const error = await operation.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(isLarderError(error, 'E_STORE'), `expected E_STORE for ${JSON.stringify(label)}, got ${String(error)}`).toBe(true)
}

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const key of keys) out.push(key)
  return out
}

async function readAll(stream: Readable | undefined): Promise<Buffer> {
  expect(stream).toBeDefined()
  const chunks: Buffer[] = []
  for await (const chunk of stream as Readable) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Every path under sandbox.root that is not inside sandbox.storeDir. */
async function filesOutside(sandbox: { root: string; storeDir: string }): Promise<string[]> {
  const all = await readdir(sandbox.root, { recursive: true })
  const inside = relative(sandbox.root, sandbox.storeDir)
  return all.filter((path) => path !== inside && !path.startsWith(inside + sep)).sort()
}

/** Resolves once Date.now() has passed `ms`: two stores of one blob must get different times. */
/**
 * A filesystem stamps a new file from the kernel's coarse clock, which lags the wall clock by up to one
 * scheduler tick (10 ms at HZ=100): only past that is a later write sure to carry a later time.
 */
const COARSE_CLOCK_TICK_MS = 10

async function waitForClockTick(ms: number): Promise<void> {
  while (Date.now() <= ms + COARSE_CLOCK_TICK_MS + 1) await new Promise((resolve) => setImmediate(resolve))
}
