import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createMemoryStore, type CacheStore } from '@larder/core'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OciError } from '../errors/oci-error.js'
import { HOSTED_UPLOAD_PREFIX } from '../keys/hosted-keys.js'
import { StoreUploadSessions } from './store-upload-sessions.js'

let spool: TempDir
let store: CacheStore
let clock = 0
const sessionsOn = () => new StoreUploadSessions({ store, expiryMs: 60_000, now: () => clock })
beforeEach(async () => {
  spool = await makeTempDir('larder-oci-store-uploads-')
  store = createMemoryStore({ spoolDir: spool.path })
  clock = 1_000_000
})
afterEach(() => spool.cleanup())

const body = (text: string) => new Response(text).body
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof OciError ? error.ociCode : (error as { code?: string }).code),
  )
const uploadKeys = async () => {
  const keys: string[] = []
  for await (const key of store.listEntries(HOSTED_UPLOAD_PREFIX)) keys.push(key)
  return keys
}

describe('upload sessions in the shared store', () => {
  it('goes on with a session on whichever replica the next chunk lands, and assembles the chunks in order', async () => {
    // Two replicas: two StoreUploadSessions on one store.
    const a = sessionsOn()
    const b = sessionsOn()
    const session = await a.start('team/app')
    await b.run('team/app', session.id, (s) => s.append(body('abc'), { maxBytes: 100 }, 'test'))
    await a.run('team/app', session.id, (s) => s.append(body('def'), { maxBytes: 100, length: 3 }, 'test'))
    await b.run('team/app', session.id, (s) => s.append(body('gh'), { maxBytes: 100 }, 'test'))
    const done = await a.run('team/app', session.id, async (s) => {
      expect(s.size).toBe(8)
      const completed = await s.complete()
      const bytes = await readFile(completed.path, 'utf8')
      await a.close(s)
      return { ...completed, bytes }
    })
    expect(done).toMatchObject({ digest: `sha256:${sha256('abcdefgh')}`, size: 8, bytes: 'abcdefgh' })
    expect(done.stored).toBeUndefined()
    expect(await uploadKeys()).toEqual([])
    expect(await codeOf(b.run('team/app', session.id, async () => 0))).toBe('BLOB_UPLOAD_UNKNOWN')
  })

  it('finishes a one-chunk upload from the chunk the store already holds, without copying it', async () => {
    const sessions = sessionsOn()
    const session = await sessions.start('team/app')
    await sessions.run('team/app', session.id, (s) => s.append(body('the whole layer'), { maxBytes: 100 }, 'test'))
    const done = await sessions.run('team/app', session.id, (s) => s.complete())
    expect(done).toMatchObject({ stored: true, size: 15, digest: `sha256:${sha256('the whole layer')}` })
    expect(await store.statBlob(sha256('the whole layer'))).toMatchObject({ size: 15 })
  })

  it('keeps the session as it was when a chunk fails, and answers only under its own repository', async () => {
    const sessions = sessionsOn()
    const session = await sessions.start('team/app')
    await sessions.run('team/app', session.id, (s) => s.append(body('abc'), { maxBytes: 100 }, 'test'))
    expect(await codeOf(sessions.run('team/app', session.id, (s) => s.append(body('defg'), { maxBytes: 100, length: 3 }, 'test')))).toBe('BLOB_UPLOAD_INVALID')
    expect(await codeOf(sessions.run('team/app', session.id, (s) => s.append(body('x'.repeat(98)), { maxBytes: 100 }, 'test')))).toBe('E_TOO_LARGE')
    expect(await codeOf(sessions.run('other/repo', session.id, async () => 0))).toBe('BLOB_UPLOAD_UNKNOWN')
    // Read afresh from the store, as another replica would.
    const digest = await sessionsOn().run('team/app', session.id, async (s) => {
      expect(s.size).toBe(3)
      return (await s.complete()).digest
    })
    expect(digest).toBe(`sha256:${sha256('abc')}`)
  })

  it('sweeps a session idle past the expiry, and keeps one in use', async () => {
    const sessions = sessionsOn()
    const idle = await sessions.start('team/app')
    const busy = await sessions.start('team/app')
    clock += 30_000
    await sessions.run('team/app', busy.id, (s) => s.append(body('x'), { maxBytes: 100 }, 'test'))
    clock += 40_000
    expect(await sessions.sweep()).toBe(1)
    expect(await uploadKeys()).toEqual([`${HOSTED_UPLOAD_PREFIX}${busy.id}`])
    expect(await codeOf(sessions.run('team/app', idle.id, async () => 0))).toBe('BLOB_UPLOAD_UNKNOWN')
  })
})
