import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFsStore } from '../store/fs-store.js'
import { withEntryCache } from '../store/entry-cache.js'
import type { CacheEntry, CacheStore } from '../store/types.js'
import { HotResponses, type RecordAnswer } from './hot-responses.js'

/** A real HTTP server whose routed answers count, with HotResponses in front as node-server puts it. */
async function startServer(hot: HotResponses, route: (path: string) => string) {
  let routed = 0
  const server: Server = createServer((request, response) => {
    void hot.send(request, response).then((sent) => {
      if (sent) return
      routed++
      response.writeHead(200, { 'content-type': 'text/plain' })
      response.end(route(request.url ?? ''))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, routed: () => routed, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

describe('HotResponses', () => {
  let dir: string
  let store: CacheStore
  let now: number
  let hot: HotResponses
  let recorded: Array<Parameters<RecordAnswer>[0]>
  let server: Awaited<ReturnType<typeof startServer>>

  const entry = (key: string, fetchedAt = now): CacheEntry => ({ key, status: 'ok', fetchedAt, blob: 'a'.repeat(64), size: 4 })
  /** Remembers the answer for a GET of `path` as a route would after sending it. */
  const remember = async (path: string, deps: string[], validUntil = Number.POSITIVE_INFINITY, headers: Record<string, string> = {}) => {
    // What fetch sends: its Host, and Accept */*.
    const key = `127.0.0.1:${new URL(server.url).port}\n*/*\n${path}`
    const resolved = await Promise.all(deps.map(async (dep) => [dep, await store.getEntry(dep)] as const))
    hot.remember(key, {
      deps: resolved,
      validUntil,
      cache: 'HIT',
      status: 200,
      headers: { 'content-type': 'text/plain', 'x-request-id': 'of-the-first-request', ...headers },
      body: Buffer.from(`remembered ${path}`),
      path,
      record: (answer) => recorded.push(answer),
    })
  }
  const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers })

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'larder-hot-'))
    store = withEntryCache(createFsStore({ dir }))
    now = 1_000_000
    hot = new HotResponses({ store, now: () => now })
    recorded = []
    server = await startServer(hot, (path) => `routed ${path}`)
  })
  afterEach(async () => {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('sends a remembered answer without routing, with its own request id, and records it', async () => {
    await store.putEntry(entry('test:doc'))
    await remember('/doc', ['test:doc'])
    const response = await get('/doc', { 'x-request-id': 'second-request' })
    expect(await response.text()).toBe('remembered /doc')
    expect(response.headers.get('x-request-id')).toBe('second-request')
    expect(server.routed()).toBe(0)
    expect(recorded).toEqual([expect.objectContaining({ requestId: 'second-request', path: '/doc', status: 200, cache: 'HIT', bytes: 15 })])
  })

  it('routes again once an entry it rests on changes, or a key it needed absent appears', async () => {
    await store.putEntry(entry('test:doc'))
    await remember('/doc', ['test:doc', 'test:private'])
    await store.putEntry(entry('test:doc', now + 1))
    expect(await (await get('/doc')).text()).toBe('routed /doc')
    await remember('/doc', ['test:doc', 'test:private'])
    expect(await (await get('/doc')).text()).toBe('remembered /doc')
    await store.putEntry(entry('test:private'))
    expect(await (await get('/doc')).text()).toBe('routed /doc')
    await remember('/doc', ['test:doc'])
    await store.deleteEntry('test:doc')
    expect(await (await get('/doc')).text()).toBe('routed /doc')
  })

  it('routes again past validUntil (an index whose TTL ran out)', async () => {
    await store.putEntry(entry('test:doc'))
    await remember('/doc', ['test:doc'], now + 1000)
    expect(await (await get('/doc')).text()).toBe('remembered /doc')
    now += 1000
    expect(await (await get('/doc')).text()).toBe('routed /doc')
  })

  it('routes every request that could get another answer: tokens, ranges, validators, proxies, other methods', async () => {
    await store.putEntry(entry('test:doc'))
    await remember('/doc', ['test:doc'])
    const variants: Array<Record<string, string>> = [
      { authorization: 'Bearer x' },
      { range: 'bytes=0-1' },
      { 'if-none-match': '"x"' },
      { 'x-forwarded-host': 'other.example' },
      { accept: 'application/vnd.npm.install-v1+json' },
    ]
    for (const headers of variants) {
      expect(await (await get('/doc', headers)).text()).toBe('routed /doc')
    }
    expect(await (await fetch(`${server.url}/doc`, { method: 'POST', body: 'x' })).text()).toBe('routed /doc')
    expect(server.routed()).toBe(6)
  })
})
