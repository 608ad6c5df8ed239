import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { receiveIndexBody } from './index-body.js'

let spool: TempDir
beforeEach(async () => {
  spool = await makeTempDir('larder-index-body-')
})
afterEach(() => spool.cleanup())

/** A response whose body arrives in `chunks`, then fails with `failure` if given. */
function response(chunks: Buffer[], failure?: Error) {
  const body = Readable.from(
    (async function* () {
      yield* chunks
      if (failure) throw failure
    })(),
  )
  return { status: 200, headers: { 'content-type': 'application/json' }, body, url: 'http://upstream.test/doc' }
}

const options = (overrides = {}) => ({ label: 'doc', spoolDir: spool.path, maxBytes: 1000, memoryBytes: 100, ...overrides })
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

it('holds a small body in memory: no spool file, the bytes and their sha256', async () => {
  const chunks = [Buffer.from('{"name":'), Buffer.from('"small"}')]
  const body = await receiveIndexBody(response(chunks), options())
  expect(body.path).toBeUndefined()
  expect(await readdir(spool.path)).toEqual([])
  expect((await body.readBytes()).toString()).toBe('{"name":"small"}')
  expect(body).toMatchObject({ size: 16, sha256: sha256(Buffer.concat(chunks)), status: 200 })
})

it('spills a body past memoryBytes to a spool file, keeping the bytes read before, until discarded', async () => {
  const chunks = [Buffer.alloc(60, 'a'), Buffer.alloc(60, 'b'), Buffer.alloc(60, 'c')]
  const body = await receiveIndexBody(response(chunks), options())
  expect(body.path).toBeDefined()
  expect(await readdir(spool.path)).toHaveLength(1)
  expect(await body.readBytes()).toEqual(Buffer.concat(chunks))
  expect(body.sha256).toBe(sha256(Buffer.concat(chunks)))
  await body.discard()
  expect(await readdir(spool.path)).toEqual([])
})

it('refuses a body over maxBytes and leaves no file behind', async () => {
  const upstream = response([Buffer.alloc(600), Buffer.alloc(600)])
  await expect(receiveIndexBody(upstream, options())).rejects.toMatchObject({ code: 'E_TOO_LARGE', message: expect.stringContaining('doc') })
  expect(upstream.body.destroyed).toBe(true)
  expect(await readdir(spool.path)).toEqual([])
})

it('leaves no file behind when the body breaks off after spilling', async () => {
  const upstream = response([Buffer.alloc(150)], new Error('socket hang up'))
  await expect(receiveIndexBody(upstream, options())).rejects.toThrow('socket hang up')
  expect(await readdir(spool.path)).toEqual([])
})
