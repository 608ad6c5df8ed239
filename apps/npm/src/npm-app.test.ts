import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, type PackedPackage } from '@larder/testkit'
import { settingsOf } from '@larder/core'
import { createApp, npmMirror } from './app.js'
import { parsePrivateNames } from './private/private-names.js'
import { parsePrivateScopes } from './settings/npm-settings.js'
import { BASE, TEST_TOKEN, startNpmAppHarness, type NpmAppHarness } from './npm-app.harness.js'
import { recordEntryReads } from '@larder/core/testing'

let left: PackedPackage
let left2: PackedPackage
let scoped: PackedPackage
let shadowed: PackedPackage
let h: NpmAppHarness

const ABBREVIATED = 'application/vnd.npm.install-v1+json'
const sha512 = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`
const body = async (res: Response) => Buffer.from(await res.arrayBuffer())

beforeAll(async () => {
  left = await packNpmPackage({ name: 'app-left', version: '1.0.0', files: { 'big.txt': 'x'.repeat(200_000) } })
  left2 = await packNpmPackage({ name: 'app-left', version: '1.1.0' })
  scoped = await packNpmPackage({ name: '@app/util', version: '2.0.0', dependencies: { 'app-left': '^1.0.0' } })
  shadowed = await packNpmPackage({ name: 'app-internal', version: '9.9.9' })
  h = await startNpmAppHarness([left, scoped, shadowed])
}, 60_000)

afterAll(async () => {
  await h?.close()
})

describe('packuments', () => {
  it('serves the full form with tarball URLs rewritten to the mirror and everything else untouched', async () => {
    const res = await h.request('/npm/app-left')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('vary')).toMatch(/^Accept, Host, X-Forwarded-Host/)
    const doc: any = await res.json()
    const upstream = h.registry.packument('app-left') as any
    expect(doc.versions['1.0.0'].dist).toEqual({ ...upstream.versions['1.0.0'].dist, tarball: `${BASE}/npm/app-left/-/app-left-1.0.0.tgz` })
    expect(doc.time).toEqual(upstream.time)
    expect(doc.readme).toEqual(upstream.readme)
  })

  it('serves the abbreviated form on Accept, with its content type', async () => {
    const res = await h.request('/npm/@app%2futil', { headers: { accept: `${ABBREVIATED}; q=1.0, application/json; q=0.8, */*` } })
    expect(res.headers.get('content-type')).toBe(ABBREVIATED)
    const doc: any = await res.json()
    expect(doc.versions['2.0.0'].dependencies).toEqual({ 'app-left': '^1.0.0' })
    expect(doc.readme).toBeUndefined()
    expect(doc.modified).toBeTypeOf('string')
    expect(doc.versions['2.0.0'].dist.tarball).toBe(`${BASE}/npm/@app/util/-/util-2.0.0.tgz`)
  })

  it('answers every spelling of a scoped name from one cache entry', async () => {
    const before = h.registry.totalHits()
    for (const path of ['/npm/@app/util', '/npm/@app%2Futil', '/npm/@app%2futil']) {
      const res = await h.request(path)
      expect(res.status).toBe(200)
      expect(res.headers.get('x-larder-cache')).toBe('HIT')
    }
    expect(h.registry.totalHits()).toBe(before)
  })

  it('gives an ETag and answers 304 to a client that has it', async () => {
    const first = await h.request('/npm/app-left')
    const etag = first.headers.get('etag')!
    const again = await h.request('/npm/app-left', { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    const abbreviated = await h.request('/npm/app-left', { headers: { accept: ABBREVIATED, 'if-none-match': etag } })
    expect(abbreviated.status).toBe(200)
  })

  it('gives the full form when the abbreviated one is refused with q=0', async () => {
    const res = await h.request('/npm/app-left', { headers: { accept: `${ABBREVIATED};q=0, application/json` } })
    expect(res.headers.get('content-type')).toBe('application/json')
  })

  it('ignores X-Forwarded-* headers from a peer that is not a trusted proxy (no poisoned links)', async () => {
    const res = await h.request('/npm/app-left', {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
    })
    expect(((await res.json()) as any).versions['1.0.0'].dist.tarball).toBe(`${BASE}/npm/app-left/-/app-left-1.0.0.tgz`)
  })

  it('serves a version and a tag, refreshing once for a version published since it was cached', async () => {
    expect(((await (await h.request('/npm/app-left/latest')).json()) as any).version).toBe('1.0.0')
    h.registry.publish(left2)
    const hitsBefore = h.registry.hitCount('/app-left')
    const res = await h.request('/npm/app-left/1.1.0')
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).dist.tarball).toBe(`${BASE}/npm/app-left/-/app-left-1.1.0.tgz`)
    expect(h.registry.hitCount('/app-left')).toBe(hitsBefore + 1)
    expect((await h.request('/npm/app-left/9.9.9')).status).toBe(404)
    expect((await h.request('/npm/app-left/9.9.8')).status).toBe(404)
    expect((await h.request('/npm/app-left/-/app-left-9.9.9.tgz')).status).toBe(404)
    // The refresh for 1.1.0 used this package's one forced refresh for the interval: typos asked in a loop refetch nothing.
    expect(h.registry.hitCount('/app-left')).toBe(hitsBefore + 1)
  })

  it('gives versions an ETag and answers 304 and HEAD', async () => {
    const res = await h.request('/npm/app-left/1.0.0')
    const etag = res.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/)
    expect((await h.request('/npm/app-left/1.0.0', { headers: { 'if-none-match': etag } })).status).toBe(304)
    const head = await h.request('/npm/app-left/1.0.0', { method: 'HEAD' })
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(await res.text())))
  })

  it('404s quickly for unknown packages and remembers it', async () => {
    expect((await h.request('/npm/no-such-package')).status).toBe(404)
    const hits = h.registry.hitCount('/no-such-package')
    expect((await h.request('/npm/no-such-package')).status).toBe(404)
    expect(h.registry.hitCount('/no-such-package')).toBe(hits)
  })
})

describe('tarballs', () => {
  it('100 concurrent requests for an uncached tarball make exactly one upstream fetch', async () => {
    const path = '/npm/@app/util/-/util-2.0.0.tgz'
    const responses = await Promise.all(Array.from({ length: 100 }, () => h.request(path)))
    const bodies = await Promise.all(responses.map(body))
    for (const bytes of bodies) expect(sha512(bytes)).toBe(scoped.integrity)
    expect(h.registry.hitCount('/@app/util/-/util-2.0.0.tgz')).toBe(1)
  })

  it('serves stored tarballs with an ETag, 304 and Range', async () => {
    const path = '/npm/app-left/-/app-left-1.0.0.tgz'
    const full = await h.request(path)
    expect(sha512(await body(full))).toBe(left.integrity)
    const hit = await h.request(path)
    expect(hit.headers.get('x-larder-cache')).toBe('HIT')
    expect(hit.headers.get('content-encoding')).toBeNull()
    const etag = hit.headers.get('etag')!
    await hit.arrayBuffer()
    expect((await h.request(path, { headers: { 'if-none-match': etag } })).status).toBe(304)
    const partial = await h.request(path, { headers: { range: 'bytes=10-19' } })
    expect(partial.status).toBe(206)
    expect(await body(partial)).toEqual(left.tarball.subarray(10, 20))
    // apt-style resume: If-Range with the Last-Modified it saw; an older date means "send it all".
    const resumed = await h.request(path, { headers: { range: 'bytes=10-', 'if-range': hit.headers.get('last-modified')! } })
    expect(resumed.status).toBe(206)
    await resumed.arrayBuffer()
    const stale = await h.request(path, { headers: { range: 'bytes=10-', 'if-range': 'Thu, 01 Jan 1998 00:00:00 GMT' } })
    expect(stale.status).toBe(200)
    await stale.arrayBuffer()
  })

  it('reads the private document and the tarball entry once per request; a hit never reads the packument', async () => {
    const once = await packNpmPackage({ name: 'app-once', version: '1.0.0' })
    h.registry.publish(once)
    const path = `/npm/app-once/-/${once.filename}`
    const { reads, restore } = recordEntryReads(h.services.store)
    try {
      expect(sha512(await body(await h.request(path)))).toBe(once.integrity)
      const count = (key: string) => reads.filter((read) => read === key).length
      expect(count('npm-private:packument:app-once')).toBe(1)
      expect(count(`npm:tarball:app-once/${once.filename}`)).toBe(1)
      reads.length = 0
      const hit = await h.request(path)
      expect(hit.headers.get('x-larder-cache')).toBe('HIT')
      await hit.arrayBuffer()
      expect(reads).toEqual(['npm-private:packument:app-once', `npm:tarball:app-once/${once.filename}`])
    } finally {
      restore()
    }
  })

  it('refuses bytes that fail the integrity check and stores nothing', async () => {
    const bad = await packNpmPackage({ name: 'app-corrupt', version: '1.0.0', files: { 'f.txt': 'y'.repeat(50_000) } })
    h.registry.publish(bad)
    await h.registry.setFault('corrupt', (path) => path.endsWith('.tgz'))
    const res = await h.request('/npm/app-corrupt/-/app-corrupt-1.0.0.tgz')
    await expect(res.arrayBuffer()).rejects.toThrow()
    await h.registry.setFault(null)
    const entry = await h.services.store.getEntry('npm:tarball:app-corrupt/app-corrupt-1.0.0.tgz')
    expect(entry).toBeUndefined()
    const good = await h.request('/npm/app-corrupt/-/app-corrupt-1.0.0.tgz')
    expect(sha512(await body(good))).toBe(bad.integrity)
    expect(good.headers.get('x-larder-cache')).toBe('MISS')
    const spool = await readdir(h.services.store.spoolDir)
    expect(spool).toEqual([])
  })

  it('fetches a cold scoped tarball asked before its packument from the address the registry uses, once', async () => {
    const scoped = await packNpmPackage({ name: '@app/early', version: '1.0.0' })
    h.registry.publish(scoped)
    const res = await h.request(`/npm/@app/early/-/${scoped.filename}`)
    expect(res.status).toBe(200)
    expect(sha512(await body(res))).toBe(scoped.integrity)
    // registry.npmjs.org keeps the scope's slash in tarball URLs; %2f there is the packument's form only.
    expect(h.registry.hitCount(`/@app/early/-/${scoped.filename}`)).toBe(1)
    expect(h.registry.hitCount(`/@app%2fearly/-/${scoped.filename}`)).toBe(0)
  })

  it('does not serve a file that is not in the packument', async () => {
    expect((await h.request('/npm/app-left/-/app-left-7.7.7.tgz')).status).toBe(404)
  })

  it('refuses to store a tarball the packument gives no digest for', async () => {
    const bare = await packNpmPackage({ name: 'app-nodigest', version: '1.0.0' })
    h.registry.publish({ ...bare, integrity: '', shasum: '' })
    // Asked before its packument, the download began at once: it is cut off unverified once the packument says nothing.
    const first = await h.request('/npm/app-nodigest/-/app-nodigest-1.0.0.tgz')
    await expect(first.arrayBuffer()).rejects.toThrow()
    expect(await h.services.store.getEntry('npm:tarball:app-nodigest/app-nodigest-1.0.0.tgz')).toBeUndefined()
    // With the packument held, the refusal comes before any byte, and upstream is not asked again.
    const res = await h.request('/npm/app-nodigest/-/app-nodigest-1.0.0.tgz')
    expect(res.status).toBe(502)
    expect(((await res.json()) as any).code).toBe('E_INTEGRITY')
    expect(h.registry.hitCount('/app-nodigest/-/app-nodigest-1.0.0.tgz')).toBe(1)
  })

  it('answers 405 to a method an endpoint does not take', async () => {
    expect((await h.request('/npm/app-left/-/app-left-1.0.0.tgz', { method: 'POST' })).status).toBe(405)
  })
})

describe('when the upstream fails', () => {
  it('serves cached packuments stale and tarballs from the store, and says so', async () => {
    const warm = await h.reopen({ LARDER_INDEX_TTL_SECONDS: '0' })
    await h.registry.setFault('refuse')
    try {
      const res = await warm.request('/npm/@app/util')
      expect(res.status).toBe(200)
      expect(res.headers.get('x-larder-cache')).toBe('STALE')
      expect(res.headers.get('x-larder-stale')).toBe('E_UPSTREAM_UNREACHABLE')
      const tgz = await warm.request('/npm/@app/util/-/util-2.0.0.tgz')
      expect(sha512(await body(tgz))).toBe(scoped.integrity)
      const missing = await warm.request('/npm/never-cached')
      expect(missing.status).toBe(502)
      expect(((await missing.json()) as any).code).toBe('E_UPSTREAM_UNREACHABLE')
    } finally {
      await h.registry.setFault(null)
      await warm.close()
    }
  })

  it('offline never contacts upstream', async () => {
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    const before = h.registry.totalHits()
    expect((await offline.request('/npm/@app/util')).headers.get('x-larder-cache')).toBe('OFFLINE')
    expect(sha512(await body(await offline.request('/npm/@app/util/-/util-2.0.0.tgz')))).toBe(scoped.integrity)
    const miss = await offline.request('/npm/never-cached-offline')
    expect(miss.status).toBe(504)
    expect(((await miss.json()) as any).hint).toContain('LARDER_OFFLINE')
    expect((await offline.request('/npm/-/npm/v1/security/audits/quick', { method: 'POST', body: '{}' })).status).toBe(504)
    expect(h.registry.totalHits()).toBe(before)
    await offline.close()
  })
})

describe('bad input', () => {
  it.each([
    '/npm/..%2f..%2fetc%2fpasswd',
    '/npm/%2e%2e/%2e%2e/etc/passwd',
    '/npm/app-left/-/..%2f..%2fentries.tgz',
    '/npm/%252e%252e%252fx',
    '/npm/@app%2f..%2f..%2fx',
    '/npm/app-left/-/%2e%2e%5cx.tgz',
    '/npm/%E0%A4%A',
  ])('refuses %s with a 4xx and asks nothing upstream', async (path) => {
    const before = h.registry.totalHits()
    const res = await h.request(path)
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    expect(((await res.json()) as any).code).toMatch(/^E_/)
    expect(h.registry.totalHits()).toBe(before)
  })
})

describe('publishing', () => {
  async function publishDoc(pkg: PackedPackage) {
    return JSON.stringify({
      _id: pkg.name,
      name: pkg.name,
      'dist-tags': { latest: pkg.version },
      versions: { [pkg.version]: { ...pkg.manifest, dist: { integrity: pkg.integrity, shasum: pkg.shasum } } },
      _attachments: {
        [`${pkg.name}-${pkg.version}.tgz`]: { content_type: 'application/octet-stream', data: pkg.tarball.toString('base64'), length: pkg.tarball.length },
      },
    })
  }
  const put = async (pkg: PackedPackage, token?: string) =>
    h.request(`/npm/${pkg.name.replace('/', '%2f')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: await publishDoc(pkg),
    })

  it('refuses without a valid token', async () => {
    const pkg = await packNpmPackage({ name: 'app-private', version: '1.0.0' })
    expect((await put(pkg)).status).toBe(401)
    expect((await put(pkg, 'wrong-token-000')).status).toBe(401)
  })

  it('stores a private package, serves it, and refuses the same version twice', async () => {
    const pkg = await packNpmPackage({ name: '@team/lib', version: '1.0.0', scripts: { install: 'node x' } })
    expect((await put(pkg, TEST_TOKEN)).status).toBe(201)
    expect((await put(pkg, TEST_TOKEN)).status).toBe(409)
    const doc: any = await (await h.request('/npm/@team%2flib', { headers: { accept: ABBREVIATED } })).json()
    expect(doc.versions['1.0.0'].hasInstallScript).toBe(true)
    expect(doc.versions['1.0.0'].dist.integrity).toBe(pkg.integrity)
    const tgz = await h.request(`/npm/@team/lib/-/lib-1.0.0.tgz`)
    expect(tgz.headers.get('x-larder-cache')).toBe('PRIVATE')
    expect(sha512(await body(tgz))).toBe(pkg.integrity)
  })

  it('a name published privately is never taken from upstream', async () => {
    const mine = await packNpmPackage({ name: 'app-internal', version: '1.0.0' })
    // The upstream has app-internal too: only a name listed in LARDER_NPM_PRIVATE_NAMES may shadow it.
    expect((await put(mine, TEST_TOKEN)).status).toBe(409)
    const listing = createApp({
      services: h.services,
      settings: { ...settingsOf(npmMirror, h.services.config), privateNames: parsePrivateNames('app-internal') },
    })
    const publish = await listing.request(`${BASE}/npm/app-internal`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
      body: await publishDoc(mine),
    })
    expect(publish.status).toBe(201)
    const hits = h.registry.hitCount((p) => p.startsWith('/app-internal'))
    const doc: any = await (await h.request('/npm/app-internal')).json()
    expect(Object.keys(doc.versions)).toEqual(['1.0.0'])
    expect((await h.request('/npm/app-internal/-/app-internal-9.9.9.tgz')).status).toBe(404)
    expect(h.registry.hitCount((p) => p.startsWith('/app-internal'))).toBe(hits)
  })

  it('a reserved scope is never taken from upstream, even before anything is published in it', async () => {
    const upstreamCopy = await packNpmPackage({ name: '@reserved/tool', version: '6.6.6' })
    h.registry.publish(upstreamCopy)
    const app = createApp({
      services: h.services,
      settings: { ...settingsOf(npmMirror, h.services.config), privateScopes: new Set(parsePrivateScopes('@reserved')) },
    })
    const get = (path: string, init?: RequestInit) => Promise.resolve(app.request(`${BASE}${path}`, init))
    const res = await get('/npm/@reserved%2ftool')
    expect(res.status).toBe(404)
    expect((await get('/npm/@reserved/tool/-/tool-6.6.6.tgz')).status).toBe(404)
    expect(h.registry.hitCount((p) => p.includes('reserved'))).toBe(0)
    const mine = await packNpmPackage({ name: '@reserved/tool', version: '1.0.0' })
    const doc = JSON.parse(await publishDoc(mine))
    const put = await get('/npm/@reserved%2ftool', { method: 'PUT', headers: { authorization: `Bearer ${TEST_TOKEN}` }, body: JSON.stringify(doc) })
    expect(put.status).toBe(201)
    expect(Object.keys(((await (await get('/npm/@reserved%2ftool')).json()) as any).versions)).toEqual(['1.0.0'])
    expect(() => parsePrivateScopes('@ok,nope')).toThrow(/LARDER_NPM_PRIVATE_SCOPES/)
  })

  it('refuses an attachment that does not match its integrity', async () => {
    const pkg = await packNpmPackage({ name: 'app-tampered', version: '1.0.0' })
    const doc = JSON.parse(await publishDoc(pkg))
    doc._attachments['app-tampered-1.0.0.tgz'].data = Buffer.from('not the tarball').toString('base64')
    delete doc._attachments['app-tampered-1.0.0.tgz'].length
    const res = await h.request('/npm/app-tampered', { method: 'PUT', headers: { authorization: `Bearer ${TEST_TOKEN}` }, body: JSON.stringify(doc) })
    expect(res.status).toBe(400)
    expect((await h.request('/npm/app-tampered')).status).toBe(404)
  })

  it('changes dist-tags only with a token', async () => {
    const path = '/npm/-/package/@team%2flib/dist-tags/beta'
    expect((await h.request(path, { method: 'PUT', body: '"1.0.0"' })).status).toBe(401)
    expect((await h.request(path, { method: 'PUT', body: '"1.0.0"', headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status).toBe(201)
    expect(await (await h.request('/npm/-/package/@team%2flib/dist-tags')).json()).toEqual({ latest: '1.0.0', beta: '1.0.0' })
  })
})

describe('special endpoints', () => {
  it('pings, and tells who the token belongs to', async () => {
    expect((await h.request('/npm/-/ping')).status).toBe(200)
    expect(await (await h.request('/npm/-/whoami', { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).json()).toEqual({ username: 'tester' })
    expect((await h.request('/npm/-/whoami')).status).toBe(401)
  })

  it('passes audit through to upstream', async () => {
    const res = await h.request('/npm/-/npm/v1/security/advisories/bulk', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(200)
    expect(h.registry.hitCount('/-/npm/v1/security/advisories/bulk')).toBeGreaterThan(0)
  })
})
