import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readMultipartForm, type MultipartOptions } from './multipart-upload.js'
import { FORM_END, FORM_TYPE, bodyOf, chunked, fieldPart, filePart, makeSpoolDir, requestOf } from './upload-body.harness.js'

let spool: Awaited<ReturnType<typeof makeSpoolDir>>
beforeEach(async () => (spool = await makeSpoolDir()))
afterEach(() => spool.cleanup())

const options = (extra: Partial<MultipartOptions> = {}): MultipartOptions => ({
  spoolDir: spool.dir,
  maxBytes: 8 * 1024 * 1024,
  label: 'the upload',
  algorithms: ['md5'],
  ...extra,
})
const form = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
const read = (body: Buffer | ReadableStream<Uint8Array>, extra: Partial<MultipartOptions> = {}, type = FORM_TYPE) =>
  readMultipartForm(requestOf(Buffer.isBuffer(body) ? bodyOf(chunked(body)) : body, { 'content-type': type }), options(extra))
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  )

describe('readMultipartForm', () => {
  it('keeps fields in memory and spools the file, hashed', async () => {
    const bytes = randomBytes(300_000)
    const result = await read(form(fieldPart(':action', 'file_upload'), fieldPart('name', 'caf\u00e9'), filePart('content', 'pkg-1.0.tar.gz', bytes), FORM_END))
    expect(result.fields).toEqual([
      { name: ':action', value: 'file_upload' },
      { name: 'name', value: 'caf\u00e9' },
    ])
    expect(result.files).toHaveLength(1)
    const [file] = result.files
    expect(file).toMatchObject({ field: 'content', filename: 'pkg-1.0.tar.gz', contentType: 'application/octet-stream', size: bytes.length })
    expect(file!.digests).toEqual({ sha256: createHash('sha256').update(bytes).digest('hex'), md5: createHash('md5').update(bytes).digest('hex') })
    expect((await readFile(file!.path)).equals(bytes)).toBe(true)
    await result.discard()
    expect(await spool.leftovers()).toEqual([])
  })

  it('spools two files to two files, in the order they were sent', async () => {
    const a = randomBytes(70_000)
    const b = randomBytes(50_000)
    const result = await read(form(filePart('content', 'a.whl', a), fieldPart('x', '1'), filePart('signature', '../b.asc', b), FORM_END))
    expect(result.files.map((f) => [f.field, f.filename, f.size])).toEqual([
      ['content', 'a.whl', a.length],
      ['signature', '../b.asc', b.length],
    ])
    expect((await readFile(result.files[1]!.path)).equals(b)).toBe(true)
    expect(await spool.leftovers()).toHaveLength(2)
    await result.discard()
    expect(await spool.leftovers()).toEqual([])
  })

  it('refuses a body over the limit with 413 naming it, and leaves no file in the spool', async () => {
    const body = form(fieldPart('name', 'big'), filePart('content', 'big.whl', randomBytes(3 * 1024 * 1024)), FORM_END)
    const error = await failure(read(body, { maxBytes: 2 * 1024 * 1024 }))
    expect(error).toMatchObject({ code: 'E_TOO_LARGE', status: 413, message: expect.stringMatching(/limit of 2 MB \(LARDER_MAX_UPLOAD_MB\)/) })
    expect(await spool.leftovers()).toEqual([])
  })

  it('refuses a declared length over the limit before reading', async () => {
    const request = requestOf(bodyOf([FORM_END]), { 'content-type': FORM_TYPE, 'content-length': '5000' })
    await expect(readMultipartForm(request, options({ maxBytes: 4000 }))).rejects.toMatchObject({ code: 'E_TOO_LARGE' })
  })

  it('refuses a body that ends before the closing boundary, and leaves no file', async () => {
    const cut = form(fieldPart('name', 'x'), filePart('content', 'x.whl', randomBytes(100_000))).subarray(0, 80_000)
    const error = await failure(read(cut))
    expect(error).toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringMatching(/Unexpected end of (form|file)/) })
    expect(await spool.leftovers()).toEqual([])
  })

  it('refuses a body the client cut off (a stream error) after a first whole file, and leaves no file', async () => {
    const parts = chunked(form(filePart('a', 'a.bin', randomBytes(40_000)), filePart('b', 'b.bin', randomBytes(100_000))))
    const error = await failure(read(bodyOf(parts.slice(0, -2), new Error('aborted'))))
    expect(error).toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringMatching(/aborted/) })
    expect(await spool.leftovers()).toEqual([])
  })

  it('answers 415 to a body that is not multipart/form-data, and 400 to one without a boundary', async () => {
    expect(await failure(read(Buffer.from('{}'), {}, 'application/json'))).toMatchObject({ code: 'E_UNSUPPORTED_MEDIA', status: 415 })
    expect(await failure(read(Buffer.from('x'), {}, 'multipart/form-data'))).toMatchObject({ code: 'E_BAD_REQUEST' })
  })

  it('refuses a field over its limit (413), never cutting it, and more files than allowed (400)', async () => {
    const long = form(fieldPart('description', 'x'.repeat(2000)), FORM_END)
    expect(await failure(read(long, { maxFieldBytes: 1000 }))).toMatchObject({ code: 'E_TOO_LARGE', message: expect.stringMatching(/description/) })
    const three = form(filePart('a', 'a', randomBytes(10)), filePart('b', 'b', randomBytes(10)), filePart('c', 'c', randomBytes(10)), FORM_END)
    expect(await failure(read(three, { maxFiles: 2 }))).toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringMatching(/more than 2 files/) })
    expect(await spool.leftovers()).toEqual([])
  })
})
