import { afterEach, describe, expect, it } from 'vitest'
import { readRoute } from '../auth/index.js'
import { defineMirror } from '../mirror/index.js'
import { openMirrorTestApp, type MirrorTestApp } from '../mirror/mirror-test-app.js'
import { composeMirrors } from '../mirror/compose-mirrors.js'
import { savePin } from '../maintenance/pins.js'
import type { LarderServices } from '../services/index.js'
import { TrafficSeries } from './traffic-series.js'

/** A mirror named npm whose every GET is a store HIT (or a MISS under /miss), so the edge feeds the series. */
const fakeNpm = defineMirror({
  name: 'npm',
  prefix: '/npm',
  settings: () => ({}),
  create: () => ({
    clientPaths: '/',
    route: (c, rawPath) => ({
      what: 'a test URL',
      methods: readRoute(() => {
        c.set('cacheResult', rawPath.startsWith('/miss') ? 'MISS' : 'HIT')
        return c.body('twelve bytes', 200, { 'content-length': '12' })
      }),
    }),
  }),
})

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
let opened: MirrorTestApp<ReturnType<typeof composeMirrors>['app']> | undefined

async function open(env: Record<string, string> = {}) {
  opened = await openMirrorTestApp({ mirror: fakeNpm, env: () => env, build: (services) => composeMirrors(services, [fakeNpm]).app })
  return opened
}

async function hold(services: LarderServices, key: string, body: string) {
  const blob = await services.store.putBlob(new TextEncoder().encode(body))
  await services.store.putEntry({ key, status: 'ok', fetchedAt: Date.now(), blob: blob.sha256, size: blob.size })
  return blob.sha256
}

afterEach(async () => {
  await opened?.close()
  opened = undefined
})

describe('GET /', () => {
  it('keeps the JSON document for JSON, for no Accept and for */*', async () => {
    const { request } = await open()
    const expected = { name: 'larder', mirrors: { npm: '/npm/' }, ops: ['/healthz', '/readyz', '/metrics', '/-/events'] }
    for (const accept of ['application/json', undefined, '*/*', 'application/json, text/html;q=0.5']) {
      const res = await request('/', accept ? { headers: { accept } } : {})
      expect(res.status, accept).toBe(200)
      expect(res.headers.get('content-type'), accept).toMatch(/^application\/json/)
      expect(await res.json()).toEqual(expected)
    }
  })

  it('answers a browser with the HTML page: each mirror with its requests, hits and a chart', async () => {
    const { request } = await open()
    for (const path of ['/npm/a', '/npm/b', '/npm/miss']) expect((await request(path)).status).toBe(200)
    const res = await request('/', { headers: { accept: BROWSER_ACCEPT } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const html = await res.text()
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toContain('<meta name="viewport"')
    expect(html).toContain('data-mirror="npm"')
    expect(html).toContain('<dd data-figure="requests-hour">3</dd>')
    expect(html).toContain('<dd data-figure="hits-day">2</dd>')
    expect(html).toContain('66.7%')
    expect(html).toContain('<svg class="chart"')
    // Air-gapped: nothing fetched from elsewhere.
    expect(html).not.toMatch(/<(link|script)[^>]+(href|src)=/)
  })
})

describe('search and a name page', () => {
  it('finds mirrored and hosted names and lists their entries with sha256 and marks', async () => {
    const { request, services } = await open()
    await hold(services, 'npm:packument:left-pad', '{}')
    const tarball = await hold(services, 'npm:tarball:left-pad/left-pad-1.3.0.tgz', 'tarball bytes')
    await hold(services, 'npm:tarball:left-pad-extra/left-pad-extra-1.0.0.tgz', 'other')
    await hold(services, 'npm-private:packument:@corp/pad', '{}')
    await savePin(services.store, { source: 'package-lock.json', sha256: 'a'.repeat(64), by: 'prefetch', keys: ['npm:tarball:left-pad/left-pad-1.3.0.tgz'] })

    const search = await (await request('/-/status/search?q=PAD')).text()
    expect(search).toContain('data-result="npm:left-pad"')
    expect(search).toContain('data-result="npm:@corp/pad"')
    expect(search).toContain('href="/-/status/name?ecosystem=npm&amp;name=left-pad"')
    expect(await (await request('/-/status/search?q=nothing-like-it')).text()).toContain('holds no such name')

    const page = await (await request('/-/status/name?ecosystem=npm&name=left-pad')).text()
    expect(page).toContain('left-pad-1.3.0.tgz')
    expect(page).toContain(tarball)
    expect(page).toContain('<span class="mark pinned">pinned</span>')
    expect(page).not.toContain('left-pad-extra-1.0.0.tgz')
    const hosted = await (await request(`/-/status/name?ecosystem=npm&name=${encodeURIComponent('@corp/pad')}`)).text()
    expect(hosted).toContain('<span class="mark hosted">hosted</span>')
    expect((await request('/-/status/name?ecosystem=nope&name=x')).status).toBe(404)
  })
})

describe('under LARDER_PROTECT_READS', () => {
  it('needs a valid token for the page and the search; the JSON document stays as it was', async () => {
    const { request } = await open({ LARDER_PROTECT_READS: '1', LARDER_TOKENS: 'ci=s3cret-token:npm' })
    for (const path of ['/', '/-/status/search?q=x', '/-/status/name?ecosystem=npm&name=x']) {
      const res = await request(path, { headers: { accept: BROWSER_ACCEPT } })
      expect(res.status, path).toBe(401)
      expect(res.headers.get('www-authenticate'), path).toMatch(/^Basic /)
      expect((await request(path, { headers: { accept: BROWSER_ACCEPT, authorization: 'Bearer wrong-token' } })).status, path).toBe(401)
      expect((await request(path, { headers: { accept: BROWSER_ACCEPT, authorization: 'Bearer s3cret-token' } })).status, path).toBe(200)
    }
    const basic = `Basic ${Buffer.from('anyone:s3cret-token').toString('base64')}`
    expect((await request('/', { headers: { accept: BROWSER_ACCEPT, authorization: basic } })).status).toBe(200)
    expect((await request('/', { headers: { accept: 'application/json' } })).status).toBe(200)
  })
})

describe('TrafficSeries', () => {
  it('keeps per-minute buckets for 24 hours and forgets older ones', () => {
    let now = Date.UTC(2025, 0, 1)
    const series = new TrafficSeries(() => now)
    series.record('npm', 'HIT', 100)
    series.record('npm', 'MISS', 50)
    series.record('npm', 'PRIVATE', 0)
    expect(series.totals('npm', 60)).toEqual({ requests: 3, hits: 1, misses: 1, bytes: 150 })
    now += 2 * 3600_000
    series.record('npm', 'STALE', 10)
    expect(series.totals('npm', 60)).toEqual({ requests: 1, hits: 1, misses: 0, bytes: 10 })
    expect(series.totals('npm', 1440).requests).toBe(4)
    expect(series.steps('npm', 1440, 48).reduce((sum, s) => sum + s.requests, 0)).toBe(4)
    now += 24 * 3600_000
    expect(series.totals('npm', 1440).requests).toBe(0)
    series.record('npm', 'HIT', 1)
    expect(series.totals('npm', 1440)).toEqual({ requests: 1, hits: 1, misses: 0, bytes: 1 })
  })
})
