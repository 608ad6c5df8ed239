import { readdir } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { type Fault, type FixtureServer, makeTempDir, startFixtureServer } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { type ErrorCode, LarderError } from '../errors/index.js'
import type { CacheEntry } from '../store/index.js'
import { type UpstreamClientOptions, createUpstreamClient } from '../upstream/index.js'
import { createFsStore } from '../store/index.js'
import { type CacheOptions, type IndexRequest, KEEP_PREVIOUS, type LarderCache, createCache } from './index.js'

const KEY = 'test:index:pkg'
const PATH = '/pkg'
const TTL_MS = 60_000
const NEGATIVE_TTL_MS = 10_000
const START = Date.UTC(2025, 0, 1)

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** What the fixture upstream serves at PATH; tests change it between calls. */
interface UpstreamDocument {
  status: number
  doc: { name: string; version: string }
  etag?: string
  lastModified?: string
}

interface Harness {
  cache: LarderCache
  fixture: FixtureServer
  upstream: UpstreamDocument
  /** Times `process` ran. */
  processed: number
  advance(ms: number): void
  now(): number
  index(overrides?: Partial<IndexRequest>): ReturnType<LarderCache['index']>
  reopen(options?: Partial<CacheOptions>): LarderCache
  /** The JSON stored as an entry's main body. */
  read(entry: CacheEntry): Promise<unknown>
}

interface HarnessOptions {
  upstream?: Partial<UpstreamDocument>
  client?: UpstreamClientOptions
}

async function setup(options: HarnessOptions = {}): Promise<Harness> {
  const upstream: UpstreamDocument = { status: 200, doc: { name: 'pkg', version: '1.0.0' }, ...options.upstream }
  const fixture = await startFixtureServer({
    handler: (req, res) => {
      if (req.url !== PATH || upstream.status !== 200) return res.writeHead(req.url === PATH ? upstream.status : 404).end()
      const validators: Record<string, string> = {}
      if (upstream.etag) validators.etag = upstream.etag
      if (upstream.lastModified) validators['last-modified'] = upstream.lastModified
      const unchanged =
        (upstream.etag && req.headers['if-none-match'] === upstream.etag) ||
        (upstream.lastModified && req.headers['if-modified-since'] === upstream.lastModified)
      if (unchanged) return res.writeHead(304, validators).end()
      const body = Buffer.from(JSON.stringify(upstream.doc))
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, ...validators }).end(body)
    },
  })
  cleanups.push(() => fixture.stop())
  const temp = await makeTempDir('larder-index-test-')
  cleanups.push(() => temp.cleanup())
  // No retries and short timeouts: every fault resolves within a test's time.
  const client = createUpstreamClient({
    retries: 0,
    connectTimeoutMs: 1000,
    headersTimeoutMs: 200,
    bodyTimeoutMs: 1000,
    env: {},
    ...options.client,
  })
  cleanups.push(() => client.close())

  let clock = START
  const reopen = (overrides: Partial<CacheOptions> = {}) =>
    createCache({
      store: createFsStore({ dir: temp.path }),
      upstream: client,
      indexTtlMs: TTL_MS,
      negativeTtlMs: NEGATIVE_TTL_MS,
      now: () => clock,
      ...overrides,
    })
  const cache = reopen()
  const h: Harness = {
    cache,
    fixture,
    upstream,
    processed: 0,
    advance: (ms) => void (clock += ms),
    now: () => clock,
    reopen,
    index: (overrides = {}) =>
      cache.index({
        key: KEY,
        url: `${fixture.url}${PATH}`,
        async process(body) {
          h.processed++
          const doc = JSON.parse((await body.readBytes()).toString('utf8')) as UpstreamDocument['doc']
          return {
            body: Buffer.from(JSON.stringify({ ...doc, mirrored: true })),
            contentType: 'application/json',
            parts: { name: Buffer.from(doc.name) },
          }
        },
        ...overrides,
      }),
    read: async (entry) => JSON.parse((await text(await cache.openEntry(entry))) ?? 'null'),
  }
  return h
}

async function text(body: Readable | undefined): Promise<string | undefined> {
  if (!body) return undefined
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(LarderError)
  await expect(promise).rejects.toMatchObject({ code })
}

const mirrored = (doc: UpstreamDocument['doc']) => ({ ...doc, mirrored: true })

describe('cache.index: freshness and revalidation', () => {
  const lastModified = 'Wed, 01 Jan 2025 00:00:00 GMT'
  it.each([
    { validator: 'ETag', upstream: { etag: '"v1"' }, header: 'if-none-match', value: '"v1"' },
    { validator: 'Last-Modified', upstream: { lastModified }, header: 'if-modified-since', value: lastModified },
  ])('fetches on a miss, serves HITs within the TTL, then revalidates with $validator (304)', async (params) => {
    const { upstream, header, value } = params
    const h = await setup({ upstream })
    const miss = await h.index()
    expect(miss.result).toBe('MISS')
    expect(miss.entry).toMatchObject({ status: 'ok', fetchedAt: START, contentType: 'application/json' })
    expect(await h.read(miss.entry)).toEqual(mirrored(h.upstream.doc))
    expect(await text(await h.cache.openEntry(miss.entry, 'name'))).toBe('pkg')
    expect(h.fixture.requests[0]!.headers[header]).toBeUndefined()

    h.advance(TTL_MS - 1)
    expect(await h.index()).toMatchObject({ result: 'HIT', entry: { fetchedAt: START } })
    expect(h.fixture.hitCount(PATH)).toBe(1)

    h.advance(1)
    const revalidated = await h.index()
    expect(revalidated.result).toBe('REVALIDATED')
    expect(h.fixture.hitCount(PATH)).toBe(2)
    expect(h.fixture.requests[1]!.headers[header]).toBe(value)
    expect(revalidated.entry).toMatchObject({ fetchedAt: h.now(), blob: miss.entry.blob })
    expect(await h.cache.store.getEntry(KEY)).toMatchObject({ fetchedAt: h.now() })
    expect(h.processed).toBe(1)

    // The new fetchedAt starts a new TTL.
    h.advance(TTL_MS - 1)
    expect((await h.index()).result).toBe('HIT')
    expect(h.fixture.hitCount(PATH)).toBe(2)
    expect(await readdir(h.cache.store.spoolDir)).toEqual([])
  })

  it('without validators: identical bytes revalidate without processing, changed bytes are a MISS', async () => {
    const h = await setup()
    const miss = await h.index()
    h.advance(TTL_MS)
    const same = await h.index()
    expect(same.result).toBe('REVALIDATED')
    expect(same.entry).toMatchObject({ fetchedAt: h.now(), blob: miss.entry.blob })
    expect(h.fixture.hitCount(PATH)).toBe(2)
    expect(h.processed).toBe(1)

    h.upstream.doc = { name: 'pkg', version: '2.0.0' }
    h.advance(TTL_MS)
    const changed = await h.index()
    expect(changed.result).toBe('MISS')
    expect(changed.entry.blob).not.toBe(miss.entry.blob)
    expect(await h.read(changed.entry)).toEqual(mirrored(h.upstream.doc))
    expect(h.processed).toBe(2)
  })

  it('forceRefresh asks upstream within the TTL', async () => {
    const h = await setup()
    await h.index()
    h.upstream.doc = { name: 'pkg', version: '2.0.0' }
    expect((await h.index()).result).toBe('HIT')
    const refreshed = await h.index({ forceRefresh: true })
    expect(refreshed.result).toBe('MISS')
    expect(await h.read(refreshed.entry)).toEqual(mirrored(h.upstream.doc))
    expect(h.fixture.hitCount(PATH)).toBe(2)
  })

  it('KEEP_PREVIOUS from process keeps the cached entry and confirms it', async () => {
    const h = await setup()
    const first = await h.index()
    h.upstream.doc = { name: 'pkg', version: '0.9.0' }
    h.advance(TTL_MS)
    const kept = await h.index({ process: async () => KEEP_PREVIOUS })
    expect(kept.result).toBe('REVALIDATED')
    expect(kept.entry).toMatchObject({ blob: first.entry.blob, fetchedAt: h.now() })
    expect(await h.read(kept.entry)).toEqual(mirrored({ name: 'pkg', version: '1.0.0' }))
  })

  it('KEEP_PREVIOUS with nothing cached is an E_UPSTREAM_GARBAGE error', async () => {
    const h = await setup()
    await expectCode(h.index({ process: async () => KEEP_PREVIOUS }), 'E_UPSTREAM_GARBAGE')
    expect(await h.cache.store.getEntry(KEY)).toBeUndefined()
  })
})

describe('cache.index: upstream failures', () => {
  const faults: Array<{ fault: Fault; code: ErrorCode }> = [
    { fault: 'refuse', code: 'E_UPSTREAM_UNREACHABLE' },
    { fault: 'status500', code: 'E_UPSTREAM_STATUS' },
    { fault: 'hang', code: 'E_UPSTREAM_TIMEOUT' },
    { fault: 'garbage', code: 'E_UPSTREAM_GARBAGE' },
  ]

  it.each(faults)('serves the stale copy on $fault after the TTL, with staleReason $code', async ({ fault, code }) => {
    const h = await setup()
    const miss = await h.index()
    h.advance(TTL_MS)
    await h.fixture.setFault(fault)
    const stale = await h.index()
    expect(stale.result).toBe('STALE')
    expect(stale.staleReason).toBeInstanceOf(LarderError)
    expect(stale.staleReason?.code).toBe(code)
    expect(stale.entry.blob).toBe(miss.entry.blob)
    expect(await h.read(stale.entry)).toEqual(mirrored(h.upstream.doc))
    expect(await readdir(h.cache.store.spoolDir)).toEqual([])
  })

  it.each(faults)('throws $code on $fault when nothing is cached', async ({ fault, code }) => {
    const h = await setup()
    await h.fixture.setFault(fault)
    await expectCode(h.index(), code)
    expect(await h.cache.store.getEntry(KEY)).toBeUndefined()
    expect(await readdir(h.cache.store.spoolDir)).toEqual([])
  })

  it('serves stale with E_CIRCUIT_OPEN, without asking, once the breaker opens', async () => {
    const h = await setup({ client: { circuitFailureThreshold: 2, circuitCooldownMs: 60_000 } })
    await h.index()
    h.advance(TTL_MS)
    await h.fixture.setFault('status500')
    for (let i = 0; i < 2; i++) expect((await h.index()).staleReason?.code).toBe('E_UPSTREAM_STATUS')
    const shortCircuited = await h.index()
    expect(shortCircuited.result).toBe('STALE')
    expect(shortCircuited.staleReason?.code).toBe('E_CIRCUIT_OPEN')
    expect(h.fixture.hitCount(PATH)).toBe(3)
  })
})

describe('cache.index: not found', () => {
  it('caches a 404 for negativeTtlMs, then asks again', async () => {
    const h = await setup({ upstream: { status: 404 } })
    await expectCode(h.index(), 'E_NOT_FOUND')
    expect(await h.cache.store.getEntry(KEY)).toMatchObject({ status: 'missing', fetchedAt: START })
    h.advance(NEGATIVE_TTL_MS - 1)
    await expectCode(h.index(), 'E_NOT_FOUND')
    await expectCode(h.index({ forceRefresh: true }), 'E_NOT_FOUND')
    expect(h.fixture.hitCount(PATH)).toBe(1)

    h.advance(1)
    await expectCode(h.index(), 'E_NOT_FOUND')
    expect(h.fixture.hitCount(PATH)).toBe(2)

    h.upstream.status = 200
    h.advance(NEGATIVE_TTL_MS)
    const published = await h.index()
    expect(published.result).toBe('MISS')
    expect(await h.read(published.entry)).toEqual(mirrored(h.upstream.doc))
  })

  it('serves a package deleted upstream as STALE', async () => {
    const h = await setup()
    const miss = await h.index()
    h.upstream.status = 404
    h.advance(TTL_MS)
    const stale = await h.index()
    expect(stale.result).toBe('STALE')
    expect(stale.staleReason?.code).toBe('E_NOT_FOUND')
    expect(stale.entry.blob).toBe(miss.entry.blob)
    expect(await h.cache.store.getEntry(KEY)).toMatchObject({ status: 'ok', blob: miss.entry.blob })
  })
})

describe('cache.index: coalescing and offline', () => {
  it('sends one upstream request for 20 concurrent calls on a missing key', async () => {
    const h = await setup()
    const results = await Promise.all(Array.from({ length: 20 }, () => h.index()))
    expect(h.fixture.hitCount(PATH)).toBe(1)
    expect(h.processed).toBe(1)
    for (const each of results) expect(each).toMatchObject({ result: 'MISS', entry: { blob: results[0]!.entry.blob } })
  })

  it.each([
    { name: 'revalidates', fault: null, result: 'REVALIDATED' },
    { name: 'fails', fault: 'status500' as Fault, result: 'STALE' },
  ])('sends one upstream request for 20 concurrent calls on an expired key, when upstream $name', async ({ fault, result }) => {
    const h = await setup({ upstream: { etag: '"v1"' } })
    await h.index()
    h.advance(TTL_MS)
    await h.fixture.setFault(fault)
    const results = await Promise.all(Array.from({ length: 20 }, () => h.index()))
    expect(h.fixture.hitCount(PATH)).toBe(2)
    for (const each of results) expect(each.result).toBe(result)
  })

  it('offline: serves what is cached as OFFLINE, refuses a miss, and never contacts upstream', async () => {
    const h = await setup()
    const offline = h.reopen({ offline: true })
    const request: IndexRequest = { key: KEY, url: `${h.fixture.url}${PATH}`, process: async () => KEEP_PREVIOUS }
    await expectCode(offline.index(request), 'E_OFFLINE_MISS')
    expect(h.fixture.totalHits()).toBe(0)

    const miss = await h.index()
    h.advance(TTL_MS * 10)
    const served = await offline.index(request)
    expect(served.result).toBe('OFFLINE')
    expect(served.entry.blob).toBe(miss.entry.blob)
    expect(h.fixture.totalHits()).toBe(1)
  })
})

describe('cache.index: stale deadline', () => {
  it('serves the cached copy once upstream is slower than staleDeadlineMs', async () => {
    // The client would wait 5 s for headers; the deadline answers long before.
    const h = await setup({ client: { headersTimeoutMs: 5000 } })
    const cached = await h.index()
    h.advance(TTL_MS)
    await h.fixture.setFault('hang')
    const cache = h.reopen({ staleDeadlineMs: 50 })
    const started = performance.now()
    const stale = await cache.index({
      key: KEY,
      url: `${h.fixture.url}${PATH}`,
      process: async (body) => ({ body: await body.readBytes(), contentType: 'application/json' }),
    })
    expect(stale.result).toBe('STALE')
    expect(stale.staleReason?.code).toBe('E_UPSTREAM_TIMEOUT')
    expect(stale.entry.blob).toBe(cached.entry.blob)
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('waits for upstream when nothing is cached', async () => {
    const h = await setup()
    const cache = h.reopen({ staleDeadlineMs: 1 })
    const miss = await cache.index({
      key: 'test:index:other',
      url: `${h.fixture.url}${PATH}`,
      process: async (body) => ({ body: await body.readBytes(), contentType: 'application/json' }),
    })
    expect(miss.result).toBe('MISS')
  })
})
