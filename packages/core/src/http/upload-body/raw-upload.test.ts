import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readRawUpload } from './raw-upload.js'
import { bodyOf, chunked, makeSpoolDir, requestOf } from './upload-body.harness.js'

let spool: Awaited<ReturnType<typeof makeSpoolDir>>
beforeEach(async () => (spool = await makeSpoolDir()))
afterEach(() => spool.cleanup())

const options = (maxBytes: number) => ({ spoolDir: spool.dir, maxBytes, label: 'the pushed gem', algorithms: ['md5', 'sha1'] as const })
const hex = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex')

describe('readRawUpload', () => {
  it('spools the body to a file, hashed on the way', async () => {
    const bytes = randomBytes(200_000)
    const file = await readRawUpload(requestOf(bodyOf(chunked(bytes)), { 'content-length': String(bytes.length) }), options(1024 * 1024))
    expect(file).toMatchObject({ size: bytes.length, sha256: hex('sha256', bytes), digests: { md5: hex('md5', bytes), sha1: hex('sha1', bytes) } })
    expect(file.path.startsWith(spool.dir)).toBe(true)
    expect((await readFile(file.path)).equals(bytes)).toBe(true)
  })

  it('gives an empty body as an empty file', async () => {
    const file = await readRawUpload(requestOf(null), options(10))
    expect(file.size).toBe(0)
  })

  it('refuses a declared length over the limit with 413 before reading', async () => {
    const error = await readRawUpload(requestOf(bodyOf(['abcdef']), { 'content-length': '6' }), options(5)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'E_TOO_LARGE', status: 413, message: expect.stringMatching(/limit of 5 bytes \(LARDER_MAX_UPLOAD_MB\)/) })
    expect(await spool.leftovers()).toEqual([])
  })

  it('refuses a body that grows past the limit with 413 and deletes the partial file', async () => {
    const error = await readRawUpload(requestOf(bodyOf(chunked(randomBytes(3 * 1024 * 1024)))), options(2 * 1024 * 1024)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'E_TOO_LARGE', message: expect.stringMatching(/limit of 2 MB/) })
    expect(await spool.leftovers()).toEqual([])
  })

  it('refuses a body cut off by the client and deletes the partial file', async () => {
    const error = await readRawUpload(requestOf(bodyOf(chunked(randomBytes(100_000)), new Error('aborted'))), options(1024 * 1024)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringMatching(/cut short \(aborted\)/) })
    expect(await spool.leftovers()).toEqual([])
  })

  it('refuses a body shorter than its Content-Length and deletes the file', async () => {
    const error = await readRawUpload(requestOf(bodyOf(['abc']), { 'content-length': '10' }), options(100)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringMatching(/3 of the 10 bytes/) })
    expect(await spool.leftovers()).toEqual([])
  })
})
