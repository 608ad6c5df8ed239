import { afterEach, describe, expect, it } from 'vitest'
import { BASE, bytesOf, mirrorPath, startComposerAppHarness, type ComposerAppHarness } from './composer-app.harness.js'

let harness: ComposerAppHarness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

type P2 = { packages: Record<string, { version: string; dist: { url: string } }[]>; minified?: string }

describe('packages.json', () => {
  it('points metadata and preferred dist mirrors at the prefix, and lists names only when the upstream does', async () => {
    harness = await startComposerAppHarness()
    const root = (await (await harness.request('/composer/packages.json')).json()) as Record<string, unknown>
    expect(root['metadata-url']).toBe('/composer/p2/%package%.json')
    expect(root.mirrors).toEqual([{ 'dist-url': '/composer/dists/%package%/%version%/%reference%.%type%', preferred: true }])
    expect(root['security-advisories']).toEqual({ metadata: false, 'api-url': `${BASE}/composer/api/security-advisories/` })
    expect(root).not.toHaveProperty('available-packages')
    const proxied = await harness.request('/composer/packages.json', { headers: { 'x-forwarded-prefix': '/mirror' } })
    // Not from a trusted proxy (LARDER_TRUSTED_PROXIES): the header is ignored.
    expect(((await proxied.json()) as Record<string, unknown>)['metadata-url']).toBe('/composer/p2/%package%.json')
  })

  it('advertises the upstream list, and answers names outside it with 404 without asking upstream', async () => {
    harness = await startComposerAppHarness({ listPackages: true })
    harness.publish('acme/lib', '1.0.0')
    const root = (await (await harness.request('/composer/packages.json')).json()) as Record<string, unknown>
    expect(root['available-packages']).toEqual(['acme/lib'])
    harness.metadata.resetHits()
    expect((await harness.request('/composer/p2/acme/other.json')).status).toBe(404)
    expect(harness.metadata.hitCount('/p2/acme/other.json')).toBe(0)
  })
})

describe('p2 files', () => {
  it('pass the upstream bytes through with Last-Modified, answer If-Modified-Since with 304, and cache for the TTL', async () => {
    harness = await startComposerAppHarness()
    harness.publish('acme/lib', '1.0.0')
    harness.publish('acme/lib', '1.1.0')
    const upstream = await fetch(`${harness.metadata.url}/p2/acme/lib.json`)
    const first = await harness.request('/composer/p2/acme/lib.json')
    expect(first.status).toBe(200)
    expect((await bytesOf(first)).equals(await bytesOf(upstream))).toBe(true)
    expect(first.headers.get('last-modified')).toBe(upstream.headers.get('last-modified'))
    const again = await harness.request('/composer/p2/acme/lib.json', { headers: { 'if-modified-since': first.headers.get('last-modified')! } })
    expect(again.status).toBe(304)
    expect(harness.metadata.hitCount('/p2/acme/lib.json')).toBe(2)
  })

  it('shows a new upstream version once the TTL has passed', async () => {
    harness = await startComposerAppHarness({ env: { LARDER_INDEX_TTL_SECONDS: '0' } })
    harness.publish('acme/lib', '1.0.0')
    const before = (await (await harness.request('/composer/p2/acme/lib.json')).json()) as P2
    expect(before.packages['acme/lib']!.map((v) => v.version)).toEqual(['1.0.0'])
    harness.publish('acme/lib', '2.0.0')
    const after = (await (await harness.request('/composer/p2/acme/lib.json')).json()) as P2
    expect(after.packages['acme/lib']!.map((v) => v.version)).toEqual(['2.0.0', '1.0.0'])
  })

  it('answers an unknown package with 404 and caches that answer', async () => {
    harness = await startComposerAppHarness()
    expect((await harness.request('/composer/p2/acme/missing.json')).status).toBe(404)
    const again = await harness.request('/composer/p2/acme/missing.json')
    expect(again.status).toBe(404)
    expect(((await again.json()) as { code: string }).code).toBe('E_NOT_FOUND')
    expect(harness.metadata.hitCount('/p2/acme/missing.json')).toBe(1)
  })
})

describe('dists', () => {
  it('fetches a dist from the host the minified metadata names, once, then serves it with both hosts down and offline', async () => {
    harness = await startComposerAppHarness()
    const v1 = harness.publish('acme/lib', '1.0.0', { shasum: 'empty' })
    harness.publish('acme/lib', '1.1.0')
    const first = await harness.request(mirrorPath(v1))
    expect(first.status).toBe(200)
    expect((await bytesOf(first)).equals(v1.zip)).toBe(true)
    expect(harness.dists.hitCount(`/zipball/acme/lib/${v1.reference}`)).toBe(1)
    await harness.dists.setFault('refuse')
    await harness.metadata.setFault('refuse')
    const down = await harness.request(mirrorPath(v1))
    expect((await bytesOf(down)).equals(v1.zip)).toBe(true)
    const offline = await harness.reopen({ LARDER_OFFLINE: '1' })
    const fromStore = await offline.request(mirrorPath(v1))
    expect(fromStore.headers.get('content-type')).toBe('application/zip')
    expect((await bytesOf(fromStore)).equals(v1.zip)).toBe(true)
    expect((await offline.request(mirrorPath({ ...v1, reference: 'ab'.repeat(20) }))).status).toBe(504)
  })

  it('refuses a dist whose bytes do not match the shasum, storing nothing', async () => {
    harness = await startComposerAppHarness()
    const pkg = harness.publish('acme/lib', '1.0.0', { shasum: 'real' })
    harness.dists.add(pkg, Buffer.concat([pkg.zip, Buffer.from('tampered')]))
    const response = await harness.request(mirrorPath(pkg))
    expect(response.status).toBe(502)
    expect(((await response.json()) as { code: string }).code).toBe('E_INTEGRITY')
    harness.dists.add(pkg)
    const healed = await harness.request(mirrorPath(pkg))
    expect((await bytesOf(healed)).equals(pkg.zip)).toBe(true)
    expect(harness.dists.hitCount(`/zipball/acme/lib/${pkg.reference}`)).toBe(2)
  })

  it('answers every client of one miss from the verified copy when the metadata gives a shasum, reading the metadata once', async () => {
    harness = await startComposerAppHarness()
    const pkg = harness.publish('acme/lib', '1.0.0', { shasum: 'real' })
    await harness.dists.setFault('slow', undefined, { bytesPerTick: 64, tickMs: 10 })
    const responses = await Promise.all([harness.request(mirrorPath(pkg)), harness.request(mirrorPath(pkg))])
    for (const response of responses) {
      // Only a stored copy has an ETag: a streamed miss has none.
      expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/)
      expect((await bytesOf(response)).equals(pkg.zip)).toBe(true)
    }
    expect(harness.dists.hitCount(`/zipball/acme/lib/${pkg.reference}`)).toBe(1)
    expect(harness.metadata.hitCount('/p2/acme/lib.json')).toBe(1)
  })

  it('sends the configured token to the dist host only', async () => {
    harness = await startComposerAppHarness({ distTokens: (host) => new Map([[host, 'dist-secret']]) })
    const pkg = harness.publish('acme/lib', '1.0.0')
    expect((await harness.request(mirrorPath(pkg))).status).toBe(200)
    expect(harness.dists.requests.at(-1)?.headers.authorization).toBe('Bearer dist-secret')
    for (const r of harness.metadata.requests) expect(r.headers.authorization).toBeUndefined()
  })

  it('fetches dists only from the allowed hosts when a list is configured', async () => {
    harness = await startComposerAppHarness({ distHosts: () => new Set(['code.example']) })
    const pkg = harness.publish('acme/lib', '1.0.0')
    const refused = await harness.request(mirrorPath(pkg))
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { error: string }).error).toContain('LARDER_COMPOSER_DIST_HOSTS')
    expect(harness.dists.requests).toHaveLength(0)
    await harness.close()
    harness = await startComposerAppHarness({ distHosts: (distHost) => new Set(['code.example', distHost]) })
    const listed = harness.publish('acme/lib', '1.0.0')
    expect((await bytesOf(await harness.request(mirrorPath(listed)))).equals(listed.zip)).toBe(true)
  })

  it('finds branch dists in ~dev.json and 404s references the metadata does not have', async () => {
    harness = await startComposerAppHarness()
    const dev = harness.publish('acme/lib', 'dev-main')
    const response = await harness.request(`/composer/dists/acme/lib/dev-main/${dev.reference}.zip`)
    expect((await bytesOf(response)).equals(dev.zip)).toBe(true)
    expect(harness.metadata.hitCount('/p2/acme/lib~dev.json')).toBe(1)
    expect((await harness.request(`/composer/dists/acme/lib/1.0.0.0/${'cd'.repeat(20)}.zip`)).status).toBe(404)
  })
})

describe('security advisories', () => {
  it('passes composer audit queries to the upstream API', async () => {
    harness = await startComposerAppHarness()
    harness.metadata.setAdvisories('acme/lib', [{ advisoryId: 'PKSA-1', packageName: 'acme/lib' }])
    const response = await harness.request('/composer/api/security-advisories/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'packages%5B0%5D=acme%2Flib',
    })
    expect(await response.json()).toEqual({ advisories: { 'acme/lib': [{ advisoryId: 'PKSA-1', packageName: 'acme/lib' }] } })
    const offline = await harness.reopen({ LARDER_OFFLINE: '1' })
    expect((await offline.request('/composer/api/security-advisories/?packages[]=acme/lib')).status).toBe(504)
  })
})
