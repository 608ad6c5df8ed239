import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OciError } from '../errors/oci-error.js'
import { UploadSessions } from './upload-sessions.js'

let spool: TempDir
let clock = 0
let sessions: UploadSessions
beforeEach(async () => {
  spool = await makeTempDir('larder-oci-uploads-')
  clock = 1_000_000
  sessions = new UploadSessions({ dir: spool.path, expiryMs: 60_000, now: () => clock })
})
afterEach(() => spool.cleanup())

const body = (text: string) => new Response(text).body
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof OciError ? error.ociCode : (error as { code?: string }).code),
  )

describe('upload sessions', () => {
  it('sweeps a session idle past the expiry, file and all, and knows its id no more', async () => {
    const idle = await sessions.start('team/app')
    const busy = await sessions.start('team/app')
    await sessions.run('team/app', idle.id, (s) => s.append(body('abc'), { maxBytes: 100 }, 'test'))
    clock += 30_000
    await sessions.run('team/app', busy.id, (s) => s.append(body('x'), { maxBytes: 100 }, 'test'))
    clock += 40_000
    expect(await sessions.sweep()).toBe(1)
    expect((await readdir(spool.path)).sort()).toEqual([`oci-upload-${busy.id}`, `oci-upload-${busy.id}.json`])
    expect(await codeOf(sessions.run('team/app', idle.id, async () => 0))).toBe('BLOB_UPLOAD_UNKNOWN')
    clock += 60_001
    // Past its expiry a session is unknown even before a sweep has run.
    expect(await codeOf(sessions.run('team/app', busy.id, async () => 0))).toBe('BLOB_UPLOAD_UNKNOWN')
    expect(await readdir(spool.path)).toEqual([])
  })

  it('never sweeps a session a request is working on, however long it takes', async () => {
    const session = await sessions.start('team/app')
    let release!: () => void
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const slow = sessions.run('team/app', session.id, () => {
      started()
      return new Promise<void>((resolve) => (release = resolve))
    })
    await running
    clock += 10 * 60_000
    expect(await sessions.sweep()).toBe(0)
    release()
    await slow
    expect(await sessions.run('team/app', session.id, async (s) => s.size)).toBe(0)
  })

  it('lets the workers of a host take turns on one session, each taking up what the other appended', async () => {
    // Two workers: two UploadSessions on one uploads folder, as the primary's workers have.
    const other = new UploadSessions({ dir: spool.path, expiryMs: 60_000, now: () => clock })
    const session = await sessions.start('team/app')
    await other.run('team/app', session.id, (s) => s.append(body('abc'), { maxBytes: 100 }, 'test'))
    await sessions.run('team/app', session.id, (s) => s.append(body('def'), { maxBytes: 100 }, 'test'))
    const digest = await other.run('team/app', session.id, async (s) => {
      expect(s.size).toBe(6)
      return (await s.complete()).digest
    })
    expect(digest).toBe(`sha256:${createHash('sha256').update('abcdef').digest('hex')}`)
    expect(await codeOf(other.run('other/repo', session.id, async () => 0))).toBe('BLOB_UPLOAD_UNKNOWN')
    await sessions.run('team/app', session.id, (s) => sessions.close(s))
    expect(await codeOf(other.run('team/app', session.id, async () => 0))).toBe('BLOB_UPLOAD_UNKNOWN')
  })

  it('keeps the hash and the file as they were when a chunk fails', async () => {
    const session = await sessions.start('team/app')
    await sessions.run('team/app', session.id, (s) => s.append(body('abc'), { maxBytes: 100 }, 'test'))
    const { digest } = await session.complete()
    expect(await codeOf(sessions.run('team/app', session.id, (s) => s.append(body('defg'), { maxBytes: 100, length: 3 }, 'test')))).toBe('BLOB_UPLOAD_INVALID')
    expect(await codeOf(sessions.run('team/app', session.id, (s) => s.append(body('x'.repeat(98)), { maxBytes: 100 }, 'test')))).toBe('E_TOO_LARGE')
    expect(session.size).toBe(3)
    expect((await session.complete()).digest).toBe(digest)
  })
})
