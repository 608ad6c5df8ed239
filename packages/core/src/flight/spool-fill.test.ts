import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { PassThrough, type Readable } from 'node:stream'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import type { DigestResult, ExpectedDigests } from '../digest/index.js'
import { LarderError } from '../errors/index.js'
import { RECENT_BYTES, SpoolFill, type SpoolFillOptions } from './spool-fill.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Commit {
  path: string
  result: DigestResult
  bytes: Buffer
}

async function spoolDir(): Promise<TempDir> {
  const dir = await makeTempDir('larder-spool-test-')
  cleanups.push(() => dir.cleanup())
  return dir
}

/** A fill over a fresh spool folder; `commits` records what commit saw (the file's bytes included). */
async function createFill(options: Partial<SpoolFillOptions> = {}) {
  const dir = await spoolDir()
  const commits: Commit[] = []
  const fill = await SpoolFill.create({
    spoolDir: dir.path,
    label: 'pkg-1.0.0.tgz',
    maxBytes: 1024 * 1024,
    commit: async (path, result) => {
      commits.push({ path, result, bytes: await readFile(path) })
    },
    ...options,
  })
  return { fill, commits, dir }
}

/** Reads a stream to its end or its error, counting what arrived before. */
async function drain(body: AsyncIterable<unknown>): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer)
    return { bytes: Buffer.concat(chunks), error: undefined }
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error }
  }
}

/** Reads one chunk now and the rest later, without losing bytes in between. */
function splitReader(reader: Readable) {
  const iterator = (reader as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  return {
    async first(): Promise<Buffer> {
      const { value, done } = await iterator.next()
      if (done) throw new Error('the reader ended without a chunk')
      return value
    },
    rest: () => drain({ [Symbol.asyncIterator]: () => iterator }),
  }
}

const sha = (algorithm: string, data: Uint8Array) => createHash(algorithm).update(data).digest('hex')

describe('SpoolFill', () => {
  it('streams bytes to a reader as they arrive, holding back the last one until the digest checks', async () => {
    const data = randomBytes(10_000)
    const { fill, commits } = await createFill({ expected: { sha512: sha('sha512', data) } })
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const reader = splitReader(fill.reader())

    body.write(data.subarray(0, 4000))
    const first = await reader.first()
    // Everything written so far but the last byte: a failing digest can never look like a full body.
    expect(first.equals(data.subarray(0, 3999))).toBe(true)
    expect(fill.state).toBe('filling')
    expect(commits).toHaveLength(0)

    const rest = reader.rest()
    body.end(data.subarray(4000))
    await consumed
    const { bytes, error } = await rest
    expect(error).toBeUndefined()
    expect(Buffer.concat([first, bytes]).equals(data)).toBe(true)
    expect(fill.state).toBe('committed')
    expect(await fill.done).toMatchObject({ size: data.length, sha256: sha('sha256', data) })
    expect(commits).toHaveLength(1)
    expect(commits[0]!.path).toBe(fill.path)
    expect(commits[0]!.bytes.equals(data)).toBe(true)
    expect(commits[0]!.result.digests.sha512).toBe(sha('sha512', data))
  })

  it('gives a reader that joins late the whole body from the start', async () => {
    const data = randomBytes(200_000)
    const { fill } = await createFill()
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const early = splitReader(fill.reader())
    body.write(data.subarray(0, 150_000))
    const earlyFirst = await early.first()
    const late = drain(fill.reader())
    body.end(data.subarray(150_000))
    await consumed
    const earlyRest = await early.rest()
    expect(earlyRest.error).toBeUndefined()
    expect(Buffer.concat([earlyFirst, earlyRest.bytes]).equals(data)).toBe(true)
    const { bytes, error } = await late
    expect(error).toBeUndefined()
    expect(bytes.equals(data)).toBe(true)
  })

  it('fails every reader, rejects done, skips commit and deletes the spool file on a digest mismatch', async () => {
    const data = randomBytes(50_000)
    const wrong: ExpectedDigests = { sha512: sha('sha512', Buffer.from('something else')) }
    const { fill, commits, dir } = await createFill({ expected: wrong })
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const readers = [drain(fill.reader()), drain(fill.reader()), drain(fill.reader())]
    body.end(data)
    await consumed
    for (const { bytes, error } of await Promise.all(readers)) {
      expect(error).toBeInstanceOf(LarderError)
      expect((error as LarderError).code).toBe('E_INTEGRITY')
      expect(bytes.length).toBeLessThan(data.length)
    }
    await expect(fill.done).rejects.toMatchObject({ code: 'E_INTEGRITY' })
    expect(fill.state).toBe('failed')
    expect(commits).toHaveLength(0)
    expect(existsSync(fill.path)).toBe(false)
    expect(await readdir(dir.path)).toEqual([])
  })

  it('has removed the spool file by the time a reader hears of the failure', async () => {
    const { fill } = await createFill({ maxBytes: 8 * 1024 * 1024 })
    const body = new PassThrough({ highWaterMark: 4 * 1024 * 1024 })
    const consumed = fill.consume(body)
    const reader = fill.reader()
    // A reader busy with many chunks checks the state between reads, not only on 'progress'.
    const spoolGoneOnError = new Promise<boolean>((resolve) => reader.once('error', () => resolve(!existsSync(fill.path))))
    reader.resume()
    body.write(randomBytes(4 * 1024 * 1024))
    await new Promise<void>((resolve) => fill.once('progress', resolve))
    body.destroy(new LarderError('E_UPSTREAM_UNREACHABLE', 'connection reset'))
    await consumed
    expect(await spoolGoneOnError).toBe(true)
  })

  it('fails when the byte count differs from the announced size', async () => {
    const { fill, commits } = await createFill({ expectedSize: 101 })
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const reader = drain(fill.reader())
    body.end(randomBytes(100))
    await consumed
    const { bytes, error } = await reader
    expect(error).toMatchObject({ code: 'E_INTEGRITY' })
    expect(bytes.length).toBeLessThan(100)
    expect(commits).toHaveLength(0)
  })

  it('stops at maxBytes with E_TOO_LARGE', async () => {
    const { fill, commits, dir } = await createFill({ maxBytes: 1000 })
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const reader = drain(fill.reader())
    body.write(randomBytes(600))
    body.write(randomBytes(600))
    await consumed
    expect((await reader).error).toMatchObject({ code: 'E_TOO_LARGE' })
    await expect(fill.done).rejects.toMatchObject({ code: 'E_TOO_LARGE' })
    expect(body.destroyed).toBe(true)
    expect(commits).toHaveLength(0)
    expect(await readdir(dir.path)).toEqual([])
  })

  it('passes a failing body on to its readers as a LarderError', async () => {
    const { fill, dir } = await createFill()
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const reader = drain(fill.reader())
    body.write(randomBytes(500))
    body.destroy(new LarderError('E_UPSTREAM_UNREACHABLE', 'upstream closed the connection in the middle of the body'))
    await consumed
    const { bytes, error } = await reader
    expect(error).toMatchObject({ code: 'E_UPSTREAM_UNREACHABLE' })
    expect(bytes.length).toBeLessThan(500)
    expect(await readdir(dir.path)).toEqual([])
  })

  it('fails the readers when commit throws', async () => {
    const { fill, dir } = await createFill({
      commit: async () => {
        throw new LarderError('E_STORE', 'disk full')
      },
    })
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const reader = drain(fill.reader())
    body.end(randomBytes(100))
    await consumed
    expect((await reader).error).toMatchObject({ code: 'E_STORE' })
    expect(await readdir(dir.path)).toEqual([])
  })

  it('keeps filling when a reader goes away, and other readers still get every byte', async () => {
    const data = randomBytes(300_000)
    const { fill, commits } = await createFill()
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const leaving = fill.reader()
    const staying = drain(fill.reader())
    body.write(data.subarray(0, 100_000))
    await splitReader(leaving).first()
    leaving.destroy()
    body.end(data.subarray(100_000))
    await consumed
    expect(fill.state).toBe('committed')
    expect(commits).toHaveLength(1)
    const { bytes, error } = await staying
    expect(error).toBeUndefined()
    expect(bytes.equals(data)).toBe(true)
  })

  it('serves an empty body', async () => {
    const { fill, commits } = await createFill({ expected: { sha256: sha('sha256', Buffer.alloc(0)) } })
    const body = new PassThrough()
    const consumed = fill.consume(body)
    const reader = drain(fill.reader())
    body.end()
    await consumed
    const { bytes, error } = await reader
    expect(error).toBeUndefined()
    expect(bytes.length).toBe(0)
    expect(commits).toHaveLength(1)
  })

  it('keeps the newest bytes in memory for readers behind the writer, and serves older ones from the file', async () => {
    const data = randomBytes(RECENT_BYTES + 100_000)
    const { fill } = await createFill({ expected: { sha256: sha('sha256', data) } })
    const body = new PassThrough()
    const consumed = fill.consume(body)
    // Held across the commit, so the recent bytes are still there to look at afterwards.
    const early = fill.reader()
    // One chunk at a time, each written before the next arrives, as from a socket.
    for (let at = 0; at < data.length; at += 50_000) {
      const written = once(fill, 'progress')
      body.write(data.subarray(at, at + 50_000))
      await written
    }
    body.end()
    await consumed
    const target = Buffer.alloc(70_000)
    // The first bytes have left memory (more than RECENT_BYTES came after them); the last ones are there,
    // and a copy may span the chunks they arrived in.
    expect(fill.copyRecent(target, 0, 10)).toBe(0)
    const from = data.length - 120_000
    expect(fill.copyRecent(target, from, 70_000)).toBe(70_000)
    expect(target).toEqual(data.subarray(from, from + 70_000))
    expect(fill.copyRecent(target, data.length - 5, 70_000)).toBe(5)
    expect(fill.copyRecent(target, data.length, 10)).toBe(0)
    const { bytes, error } = await drain(early)
    expect(error).toBeUndefined()
    expect(bytes).toEqual(data)
  })
})
