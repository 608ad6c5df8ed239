import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { text } from 'node:stream/consumers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HeldBlob, withBlobMemory } from './blob-memory.js'
import { runStoreComplianceSuite } from './compliance.suite.js'
import { createFsStore } from './fs-store.js'
import type { CacheStore } from './types.js'

runStoreComplianceSuite('filesystem store behind blob memory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'larder-blob-memory-'))
  return { store: withBlobMemory(createFsStore({ dir }), { maxBlobBytes: 64 }), cleanup: () => rm(dir, { recursive: true, force: true }) }
})

/** The path the filesystem store keeps a blob at: the test damages it there, as a disk fault would. */
function blobFile(dir: string, sha256: string): string {
  return join(dir, 'blobs', 'sha256', sha256.slice(0, 2), sha256)
}

describe('withBlobMemory', () => {
  let dir: string
  let backing: CacheStore
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'larder-blob-memory-'))
    backing = createFsStore({ dir })
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('serves a small blob from memory once read, even when the file has gone', async () => {
    const store = withBlobMemory(backing)
    const { sha256 } = await store.putBlob(Buffer.from('small tarball'))
    const first = await store.openBlob(sha256)
    expect(first).toBeInstanceOf(HeldBlob)
    expect(await text(first!)).toBe('small tarball')
    // Only a held copy can still answer now.
    await rm(blobFile(dir, sha256))
    const second = await store.openBlob(sha256)
    expect(second).toBeInstanceOf(HeldBlob)
    expect(await text(second!)).toBe('small tarball')
  })

  it('holds a blob it has just stored, a copy of the bytes it was given, and not one over the limit', async () => {
    const store = withBlobMemory(backing, { maxBlobBytes: 16 })
    const bytes = Buffer.from('just rewritten')
    const { sha256 } = await store.putBlob(bytes)
    bytes.fill(0)
    // Only a held copy can answer with the file gone.
    await rm(blobFile(dir, sha256))
    const opened = await store.openBlob(sha256)
    expect(opened).toBeInstanceOf(HeldBlob)
    expect(await text(opened!)).toBe('just rewritten')
    const large = await store.putBlob(Buffer.from('seventeen bytes!!'))
    await rm(blobFile(dir, large.sha256))
    expect(await store.openBlob(large.sha256)).toBeUndefined()
  })

  it('streams blobs over the size limit and ranges from the store', async () => {
    const store = withBlobMemory(backing, { maxBlobBytes: 8 })
    const { sha256 } = await store.putBlob(Buffer.from('more than eight bytes'))
    const whole = await store.openBlob(sha256)
    expect(whole).not.toBeInstanceOf(HeldBlob)
    expect(await text(whole!)).toBe('more than eight bytes')
    const small = await store.putBlob(Buffer.from('tiny'))
    await store.openBlob(small.sha256)
    const range = await store.openBlob(small.sha256, { start: 1, end: 2 })
    expect(range).not.toBeInstanceOf(HeldBlob)
    expect(await text(range!)).toBe('in')
  })

  it('never holds bytes that do not match their address', async () => {
    const store = withBlobMemory(backing)
    // Stored by another process: this one first meets the blob on disk.
    const { sha256 } = await backing.putBlob(Buffer.from('original bytes'))
    await writeFile(blobFile(dir, sha256), 'damaged bytes!')
    const opened = await store.openBlob(sha256)
    expect(opened).not.toBeInstanceOf(HeldBlob)
    // Served as the store has it, so check-store can still find and quarantine the damage.
    expect(await text(opened!)).toBe('damaged bytes!')
  })

  it('forgets a blob when it is deleted', async () => {
    const store = withBlobMemory(backing)
    const { sha256 } = await store.putBlob(Buffer.from('to be collected'))
    expect(await store.openBlob(sha256)).toBeInstanceOf(HeldBlob)
    await store.deleteBlob(sha256)
    expect(await store.openBlob(sha256)).toBeUndefined()
  })

  it('keeps the total under maxBytes, dropping the least recently used', async () => {
    const store = withBlobMemory(backing, { maxBytes: 20, maxBlobBytes: 20 })
    const a = await store.putBlob(Buffer.from('aaaaaaaaaa'))
    const b = await store.putBlob(Buffer.from('bbbbbbbbbb'))
    const c = await store.putBlob(Buffer.from('cccccccccc'))
    for (const blob of [a, b, c]) await store.openBlob(blob.sha256)
    await rm(blobFile(dir, a.sha256))
    expect(await store.openBlob(a.sha256)).toBeUndefined()
    expect(await store.openBlob(c.sha256)).toBeInstanceOf(HeldBlob)
  })

  it('loads a blob once for concurrent readers', async () => {
    let opens = 0
    const counting: CacheStore = {
      ...backing,
      spoolDir: backing.spoolDir,
      openBlob: (sha, range) => {
        opens++
        return backing.openBlob(sha, range)
      },
    }
    const store = withBlobMemory(counting)
    const bytes = Buffer.from('wanted by many')
    const { sha256 } = await backing.putBlob(bytes)
    expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    const bodies = await Promise.all(Array.from({ length: 10 }, () => store.openBlob(sha256)))
    expect(bodies.every((body) => body instanceof HeldBlob)).toBe(true)
    expect(opens).toBe(1)
  })

  it('is the store itself when given no memory', () => {
    expect(withBlobMemory(backing, { maxBytes: 0 })).toBe(backing)
    expect(() => withBlobMemory(backing, { maxBlobBytes: 0 })).toThrow(/maxBlobBytes/)
  })
})
