import { createHash, randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { type Fault, type FixtureServer, makeTempDir, startFixtureServer, waitFor } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { type ErrorCode, LarderError } from '../errors/index.js'
import { createFsStore } from '../store/index.js'
import { type UpstreamClientOptions, createUpstreamClient } from '../upstream/index.js'
import { type ArtifactRequest, type CacheOptions, type LarderCache, createCache } from './index.js'

const SOURCE = randomBytes(3 * 1024 * 1024)
const SHA512 = createHash('sha512').update(SOURCE).digest('hex')
const SHA256 = createHash('sha256').update(SOURCE).digest('hex')
const KEY = 'test:tarball:pkg-1.0.0.tgz'
const PATH = '/pkg/-/pkg-1.0.0.tgz'
/** Served in two writes without Content-Length, so only the bytes tell the size. */
const CHUNKED_PATH = '/pkg/-/pkg-1.0.0-chunked.tgz'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Harness {
  cache: LarderCache
  fixture: FixtureServer
  dir: string
  request(overrides?: Partial<ArtifactRequest>): ArtifactRequest
  /** Creates another cache over the same store folder and upstream (e.g. an offline one). */
  reopen(options?: Partial<CacheOptions>): LarderCache
  /** Responses the fixture has started, in order, to watch how far upstream got. */
  responses: ServerResponse[]
}

interface HarnessOptions {
  cache?: Partial<CacheOptions>
  upstream?: UpstreamClientOptions
}

async function setup(options: HarnessOptions = {}): Promise<Harness> {
  const responses: ServerResponse[] = []
  const fixture = await startFixtureServer({
    handler: (req, res) => {
      responses.push(res)
      if (req.url === PATH) {
        return res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': SOURCE.length }).end(SOURCE)
      }
      if (req.url === CHUNKED_PATH) {
        res.writeHead(200, { 'content-type': 'application/x-tar' })
        res.write(SOURCE.subarray(0, 1024 * 1024))
        return res.end(SOURCE.subarray(1024 * 1024))
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    },
  })
  cleanups.push(() => fixture.stop())
  const temp = await makeTempDir('larder-artifact-test-')
  cleanups.push(() => temp.cleanup())
  // No retries and short timeouts: every fault resolves within a test's time.
  const upstream = createUpstreamClient({
    retries: 0,
    connectTimeoutMs: 1000,
    headersTimeoutMs: 1000,
    bodyTimeoutMs: 2000,
    env: {},
    ...options.upstream,
  })
  cleanups.push(() => upstream.close())
  const reopen = (overrides: Partial<CacheOptions> = {}) => createCache({ store: createFsStore({ dir: temp.path }), upstream, ...options.cache, ...overrides })
  return {
    cache: reopen(),
    fixture,
    dir: temp.path,
    responses,
    reopen,
    request: (overrides = {}) => ({ key: KEY, url: `${fixture.url}${PATH}`, expected: { sha512: SHA512 }, ...overrides }),
  }
}

/** Reads a stream to its end or its error, keeping what arrived before. */
async function drain(body: AsyncIterable<unknown>): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = []
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer)
    return { bytes: Buffer.concat(chunks), error: undefined }
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error }
  }
}

async function readAll(body: Readable): Promise<Buffer> {
  const { bytes, error } = await drain(body)
  if (error) throw error
  return bytes
}

/** Files left in the store's blob folder (content-addressed, so any file is a stored blob). */
async function blobFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(dir, 'blobs'), { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name)
}

/** Checked as soon as a caller or reader has seen the failure: the fill must be wound up by then. */
async function expectNothingStored(h: Harness): Promise<void> {
  expect(h.cache.activeFills).toBe(0)
  expect(await h.cache.store.getEntry(KEY)).toBeUndefined()
  expect(await blobFiles(h.dir)).toEqual([])
  expect(await readdir(h.cache.store.spoolDir)).toEqual([])
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(LarderError)
  await expect(promise).rejects.toMatchObject({ code })
}

describe('cache.artifact: coalescing and streaming', () => {
  it('fetches a key once for 100 concurrent clients, gives each the exact bytes, then serves HITs', async () => {
    const h = await setup()
    const responses = await Promise.all(Array.from({ length: 100 }, () => h.cache.artifact(h.request())))
    const bodies = await Promise.all(responses.map((response) => readAll(response.body)))
    expect(h.fixture.hitCount(PATH)).toBe(1)
    for (const body of bodies) expect(body.equals(SOURCE)).toBe(true)
    expect(responses[0]).toMatchObject({ result: 'MISS', size: SOURCE.length, contentType: 'application/x-tar' })

    const entry = await h.cache.store.getEntry(KEY)
    expect(entry).toMatchObject({ status: 'ok', blob: SHA256, size: SOURCE.length })
    expect(entry?.meta).toMatchObject({ digests: { sha512: SHA512 } })
    expect(await readdir(h.cache.store.spoolDir)).toEqual([])

    const again = await h.cache.artifact(h.request())
    expect(again).toMatchObject({ result: 'HIT', size: SOURCE.length, contentType: 'application/x-tar' })
    expect((await readAll(again.body)).equals(SOURCE)).toBe(true)
    expect(h.fixture.hitCount(PATH)).toBe(1)
    await waitFor(() => h.cache.activeFills === 0, { description: 'the fill to be forgotten' })
  })

  it('passes bytes on as they arrive, before upstream has sent the whole body', async () => {
    const h = await setup()
    await h.fixture.setFault('slow', undefined, { bytesPerTick: 64 * 1024, tickMs: 10 })
    const response = await h.cache.artifact(h.request())
    expect(response).toMatchObject({ result: 'MISS', size: SOURCE.length })
    const iterator = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
    const first = await iterator.next()
    expect(first.done).toBe(false)
    expect(first.value.length).toBeGreaterThan(0)
    // The fixture is still writing: the tee did not wait for the whole download.
    expect(h.responses[0]!.writableFinished).toBe(false)
    expect(h.cache.activeFills).toBe(1)
    const rest = await drain({ [Symbol.asyncIterator]: () => iterator })
    expect(rest.error).toBeUndefined()
    expect(Buffer.concat([first.value, rest.bytes]).equals(SOURCE)).toBe(true)
  })

  it('keeps filling when the first client disconnects, then serves a HIT', async () => {
    const h = await setup()
    await h.fixture.setFault('slow', undefined, { bytesPerTick: 64 * 1024, tickMs: 10 })
    const leaving = await h.cache.artifact(h.request())
    await (leaving.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]().next()
    leaving.body.destroy()
    expect(h.responses[0]!.writableFinished).toBe(false)
    // Nobody else is reading: the fill goes on for the sake of the next client.
    await waitFor(() => h.cache.store.getEntry(KEY), { description: 'the entry to be stored' })
    expect(await readdir(h.cache.store.spoolDir)).toEqual([])
    const later = await h.cache.artifact(h.request())
    expect(later.result).toBe('HIT')
    expect((await readAll(later.body)).equals(SOURCE)).toBe(true)
    expect(h.fixture.hitCount(PATH)).toBe(1)
  })
})

describe('cache.artifact: a source resolved on a miss', () => {
  it('resolves once for concurrent misses, never on a hit, and again after a failed resolve', async () => {
    const h = await setup()
    let resolves = 0
    const resolvable = (source = h.request()) => ({
      key: KEY,
      label: 'pkg 1.0.0',
      resolve: async () => {
        resolves += 1
        return source
      },
    })
    const missing = h.cache.artifact({
      key: KEY,
      resolve: async () => {
        resolves += 1
        throw new LarderError('E_NOT_FOUND', 'not listed')
      },
    })
    await expectCode(missing, 'E_NOT_FOUND')
    expect(h.fixture.hitCount(PATH)).toBe(0)
    const responses = await Promise.all(Array.from({ length: 20 }, () => h.cache.artifact(resolvable())))
    for (const response of responses) expect((await readAll(response.body)).equals(SOURCE)).toBe(true)
    expect(resolves).toBe(2)
    expect(h.fixture.hitCount(PATH)).toBe(1)
    const hit = await h.cache.artifact(resolvable())
    expect(hit.result).toBe('HIT')
    await readAll(hit.body)
    expect(resolves).toBe(2)
  })

  it('holdUntilVerified: every client of a miss gets the stored copy, or the error instead of a cut-off body', async () => {
    const h = await setup()
    const held = (expected: Record<string, string>) => ({ key: KEY, resolve: async () => h.request({ expected, holdUntilVerified: true }) })
    const wrong = await Promise.allSettled(Array.from({ length: 5 }, () => h.cache.artifact(held({ sha256: '0'.repeat(64) }))))
    for (const outcome of wrong) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'E_INTEGRITY' } })
    await expectNothingStored(h)
    const good = await Promise.all(Array.from({ length: 5 }, () => h.cache.artifact(held({ sha512: SHA512 }))))
    for (const response of good) {
      expect(response).toMatchObject({ result: 'MISS', size: SOURCE.length, entry: { blob: SHA256 } })
      expect((await readAll(response.body)).equals(SOURCE)).toBe(true)
    }
    expect(h.fixture.hitCount(PATH)).toBe(2)
  })

  it('checks the resolved digests like given ones', async () => {
    const h = await setup()
    const wrong = h.cache.artifact({ key: KEY, resolve: async () => h.request({ expected: { sha256: '0'.repeat(64) } }) })
    const error = await wrong.then(
      (response) => drain(response.body).then((r) => r.error),
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'E_INTEGRITY' })
    await expectNothingStored(h)
  })
})

describe('cache.artifact: integrity', () => {
  it.each([
    { name: 'corrupt bytes from upstream', fault: 'corrupt' as Fault, expected: { sha512: SHA512 } },
    { name: 'a wrong expected digest', fault: null, expected: { sha512: createHash('sha512').update('other').digest('hex') } },
  ])('fails every concurrent reader on $name, stores nothing, and asks upstream again next time', async (params) => {
    const { fault, expected } = params
    let reportFillError!: (report: { key: string; code: string }) => void
    const fillError = new Promise((resolve) => (reportFillError = resolve))
    const h = await setup({ cache: { onFillError: (key, error) => reportFillError({ key, code: error.code }) } })
    await h.fixture.setFault(fault)
    const responses = await Promise.all(Array.from({ length: 10 }, () => h.cache.artifact(h.request({ expected }))))
    const results = await Promise.all(responses.map((response) => drain(response.body)))
    expect(h.fixture.hitCount(PATH)).toBe(1)
    for (const { bytes, error } of results) {
      expect(error).toBeInstanceOf(LarderError)
      expect((error as LarderError).code).toBe('E_INTEGRITY')
      // The last byte is held back, so no client can mistake the bad body for a whole one.
      expect(bytes.length).toBeLessThan(SOURCE.length)
    }
    await expectNothingStored(h)
    expect(await fillError).toEqual({ key: KEY, code: 'E_INTEGRITY' })
    // At once: a caller arriving after the failure must not be handed the old fill's error.
    await h.fixture.setFault(null)
    const retry = await h.cache.artifact(h.request())
    expect(retry.result).toBe('MISS')
    expect((await readAll(retry.body)).equals(SOURCE)).toBe(true)
    expect(h.fixture.hitCount(PATH)).toBe(2)
    expect((await h.cache.store.getEntry(KEY))?.blob).toBe(SHA256)
  })

  it('fails the reader of a truncated body and stores nothing', async () => {
    const h = await setup()
    await h.fixture.setFault('truncate')
    const response = await h.cache.artifact(h.request({ expected: undefined }))
    const { bytes, error } = await drain(response.body)
    expect(error).toBeInstanceOf(LarderError)
    expect((error as LarderError).isUpstreamFailure).toBe(true)
    expect(bytes.length).toBeLessThan(SOURCE.length)
    await expectNothingStored(h)
  })

  it('fails a body shorter than the size the index promised', async () => {
    const h = await setup()
    const response = await h.cache.artifact(h.request({ url: `${h.fixture.url}${CHUNKED_PATH}`, expected: undefined, expectedSize: SOURCE.length + 1 }))
    const { bytes, error } = await drain(response.body)
    expect(error).toMatchObject({ code: 'E_INTEGRITY' })
    expect(bytes.length).toBeLessThan(SOURCE.length)
    await expectNothingStored(h)
  })

  it('refuses before a byte is sent when the Content-Length is not the size the index lists, either way', async () => {
    const h = await setup()
    for (const expectedSize of [5, SOURCE.length + 1]) {
      await expectCode(h.cache.artifact(h.request({ expectedSize })), 'E_INTEGRITY')
    }
    await expectNothingStored(h)
  })
})

describe('cache.artifact: upstream failures', () => {
  // 100 callers: their store lookups then take long enough that a fast failure could settle before
  // the last ones finish, which is when a caller would wrongly ask upstream a second time.
  it.each([
    { fault: 'refuse' as Fault, code: 'E_UPSTREAM_UNREACHABLE' as ErrorCode, hits: 0 },
    { fault: 'hang' as Fault, code: 'E_UPSTREAM_TIMEOUT' as ErrorCode, hits: 1 },
    { fault: 'status500' as Fault, code: 'E_UPSTREAM_STATUS' as ErrorCode, hits: 1 },
  ])('rejects every concurrent caller with $code on $fault and stores nothing', async ({ fault, code, hits }) => {
    const h = await setup({ upstream: { headersTimeoutMs: 200 } })
    await h.fixture.setFault(fault)
    const calls = Array.from({ length: 100 }, () => h.cache.artifact(h.request()))
    for (const call of calls) await expectCode(call, code)
    // A refused connection never reaches the request handler, so it counts no hit.
    expect(h.fixture.hitCount(PATH)).toBe(hits)
    await expectNothingStored(h)
  })

  it('rejects with E_UPSTREAM_UNREACHABLE when the upstream is gone', async () => {
    const h = await setup()
    await h.fixture.stop()
    await expectCode(h.cache.artifact(h.request()), 'E_UPSTREAM_UNREACHABLE')
    await expectNothingStored(h)
  })

  it('rejects with E_NOT_FOUND when upstream answers 404', async () => {
    const h = await setup()
    await expectCode(h.cache.artifact(h.request({ url: `${h.fixture.url}/pkg/-/missing.tgz` })), 'E_NOT_FOUND')
    // A CDN's signed query is a secret: the message names the path only.
    const error = await h.cache.artifact(h.request({ url: `${h.fixture.url}/pkg/-/missing.tgz?X-Amz-Signature=s3cr3t` })).catch((e: unknown) => e)
    expect(String((error as Error).message)).toContain('/pkg/-/missing.tgz?…')
    expect(String((error as Error).message)).not.toContain('s3cr3t')
    await expectNothingStored(h)
  })
})

describe('cache.artifact: offline and limits', () => {
  it('offline: a miss rejects without contacting upstream; a stored artifact is served as OFFLINE', async () => {
    const h = await setup()
    const offline = h.reopen({ offline: true })
    await expectCode(offline.artifact(h.request()), 'E_OFFLINE_MISS')
    expect(h.fixture.totalHits()).toBe(0)

    await readAll((await h.cache.artifact(h.request())).body)
    const served = await offline.artifact(h.request())
    expect(served.result).toBe('OFFLINE')
    expect((await readAll(served.body)).equals(SOURCE)).toBe(true)
    expect(h.fixture.totalHits()).toBe(1)
  })

  it('refuses a body whose Content-Length is over maxArtifactBytes with E_TOO_LARGE', async () => {
    const h = await setup({ cache: { maxArtifactBytes: SOURCE.length - 1 } })
    await expectCode(h.cache.artifact(h.request()), 'E_TOO_LARGE')
    await expectNothingStored(h)
  })

  it('stops a body without Content-Length once it passes maxArtifactBytes', async () => {
    const h = await setup({ cache: { maxArtifactBytes: 2 * 1024 * 1024 } })
    const response = await h.cache.artifact(h.request({ url: `${h.fixture.url}${CHUNKED_PATH}`, expected: undefined }))
    const { bytes, error } = await drain(response.body)
    expect(error).toMatchObject({ code: 'E_TOO_LARGE' })
    expect(bytes.length).toBeLessThanOrEqual(2 * 1024 * 1024)
    await expectNothingStored(h)
  })

  it('looks up a stored artifact without contacting upstream', async () => {
    const h = await setup()
    expect(await h.cache.lookupArtifact(KEY)).toBeUndefined()
    await readAll((await h.cache.artifact(h.request())).body)
    const found = await h.cache.lookupArtifact(KEY)
    expect(found).toMatchObject({ result: 'HIT', size: SOURCE.length, entry: { blob: SHA256 } })
    expect((await readAll(found!.body)).equals(SOURCE)).toBe(true)
    expect(h.fixture.totalHits()).toBe(1)
  })
})
