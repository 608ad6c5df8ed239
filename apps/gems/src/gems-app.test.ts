import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGem, run, type BuiltGem } from '@larder/testkit'
import { settingsOf } from '@larder/core'
import { createGemsApp, gemsMirror } from './app.js'
import { MAX_UNLISTED_CANDIDATES } from './routes/gem-file-route.js'
import { parsePrivateNames } from './private/private-names.js'
import { BASE, TEST_TOKEN, lastMd5, startGemsAppHarness, type GemsAppHarness } from './gems-app.harness.js'
import { recordEntryReads } from '@larder/core/testing'

let base: BuiltGem
let top: BuiltGem
let shadow: BuiltGem
let mine: BuiltGem
let h: GemsAppHarness

const md5 = (body: string | Buffer) => createHash('md5').update(body).digest('hex')
const push = (bytes: Buffer, token: string | null = TEST_TOKEN) =>
  h.request('/gems/api/v1/gems', {
    method: 'POST',
    body: new Uint8Array(bytes),
    headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: token } : {}) },
  })

beforeAll(async () => {
  base = await buildGem({ name: 'app-base', version: '1.0.0', files: { 'big.rb': `# ${'x'.repeat(100_000)}\n` } })
  top = await buildGem({ name: 'app-top', version: '2.0.0', dependencies: { 'app-base': ['~> 1.0'] } })
  shadow = await buildGem({ name: 'app-shadow', version: '5.0.0' })
  mine = await buildGem({ name: 'app-shadow', version: '0.1.0', dependencies: { 'app-base': ['>= 1.0', '< 2'] }, requiredRubyVersion: '>= 2.5' })
  h = await startGemsAppHarness([base, top, shadow], { LARDER_MAX_UPLOAD_MB: '1' })
}, 180_000)

afterAll(async () => {
  await h?.close()
})

describe('compact index', () => {
  it('serves /versions and /info as one generation: each last md5 is the md5 of the /info Larder serves', async () => {
    const versions = await h.request('/gems/versions')
    expect(versions.status).toBe(200)
    expect(versions.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    const text = await versions.text()
    expect(versions.headers.get('etag')).toBe(`"${md5(text)}"`)
    expect(versions.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(text).digest('base64')}:`)
    for (const name of ['app-base', 'app-top']) {
      const info = await (await h.request(`/gems/info/${name}`)).text()
      expect(info).toBe(h.upstream.info(name))
      expect(lastMd5(text, name)).toBe(md5(info))
    }
    expect(await (await h.request('/gems/names')).text()).toBe('---\napp-base\napp-shadow\napp-top\n')
  })

  it('answers If-None-Match with 304 and `Range: bytes=N-` with 206 from the same body', async () => {
    const full = await h.request('/gems/info/app-top')
    const body = await full.text()
    const etag = full.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect((await h.request('/gems/info/app-top', { headers: { 'if-none-match': etag } })).status).toBe(304)
    const partial = await h.request('/gems/info/app-top', { headers: { range: 'bytes=5-' } })
    expect(partial.status).toBe(206)
    expect(partial.headers.get('content-range')).toBe(`bytes 5-${body.length - 1}/${body.length}`)
    expect(await partial.text()).toBe(body.slice(5))
    expect((await h.request('/gems/info/app-top', { headers: { range: `bytes=${body.length}-` } })).status).toBe(416)
  })

  it('keeps /versions consistent with the /info it holds when that /info cannot be brought up to date', async () => {
    const eager = await h.reopen({ LARDER_INDEX_TTL_SECONDS: '0' })
    const before = await (await eager.request('/gems/info/app-base')).text()
    await h.upstream.publish(await buildGem({ name: 'app-base', version: '1.1.0' }))
    await h.upstream.setFault('status500', (path) => path.startsWith('/info/'))
    const versions = await (await eager.request('/gems/versions')).text()
    const info = await eager.request('/gems/info/app-base')
    expect(info.headers.get('x-larder-stale')).toBe('E_UPSTREAM_STATUS')
    expect(await info.text()).toBe(before)
    expect(versions).toMatch(/^app-base 1\.1\.0 /m)
    expect(lastMd5(versions, 'app-base')).toBe(md5(before))
    await eager.catchUpIdle()
    await h.upstream.setFault(null)
    // With upstream back, the next /versions starts the catch-up; once done, /versions names the new md5.
    await eager.request('/gems/versions')
    await eager.catchUpIdle()
    const next = await (await eager.request('/gems/versions')).text()
    const fresh = await (await eager.request('/gems/info/app-base')).text()
    expect(fresh).toBe(h.upstream.info('app-base'))
    expect(lastMd5(next, 'app-base')).toBe(md5(fresh))
    expect(next.startsWith(versions)).toBe(true)
  })

  it('grows /versions only by appending, so a client that keeps its copy updates with a Range request as bundler does', async () => {
    const eager = await h.reopen({ LARDER_INDEX_TTL_SECONDS: '0' })
    let local = await (await eager.request('/gems/versions')).text()
    await eager.request('/gems/info/app-top')
    await eager.catchUpIdle()
    // bundler: Range from its size minus one, If-None-Match its md5; append the tail, check the whole against the ETag.
    const update = async () => {
      const res = await eager.request('/gems/versions', { headers: { range: `bytes=${Buffer.byteLength(local) - 1}-`, 'if-none-match': `"${md5(local)}"` } })
      const tail = await res.text()
      expect(res.status).toBe(206)
      expect(tail[0]).toBe(local.at(-1))
      local += tail.slice(1)
      expect(res.headers.get('etag')).toBe(`"${md5(local)}"`)
    }
    const consistent = async (name: string) => expect(lastMd5(local, name)).toBe(md5(await (await eager.request(`/gems/info/${name}`)).text()))
    // A release upstream whose /info Larder cannot refetch yet: /versions grows by upstream's line plus
    // one naming the md5 of the /info Larder still serves.
    await h.upstream.setFault('status500', (path) => path.startsWith('/info/'))
    await h.upstream.publish(await buildGem({ name: 'app-top', version: '2.1.0', dependencies: { 'app-base': ['~> 1.0'] } }))
    await update()
    await eager.catchUpIdle()
    for (const name of ['app-base', 'app-top']) await consistent(name)
    expect(local).toMatch(/^app-top 2\.1\.0 [0-9a-f]{32}\napp-top 2\.1\.0 [0-9a-f]{32}\n$/m)
    // Upstream back: the catch-up refetches /info and the new md5 is appended, not written over the old.
    await h.upstream.setFault(null)
    await eager.request('/gems/versions')
    await eager.catchUpIdle()
    await update()
    await consistent('app-top')
    expect(lastMd5(local, 'app-top')).toBe(md5(h.upstream.info('app-top')!))
    expect((await eager.request('/gems/versions', { headers: { 'if-none-match': `"${md5(local)}"` } })).status).toBe(304)
  })

  it('answers the retired dependency API with 404 so clients keep to the compact index', async () => {
    expect((await h.request('/gems/api/v1/dependencies?gems=app-top')).status).toBe(404)
  })
})

describe('.gem files', () => {
  it('serves a gem verified against the /info checksum, then from the store', async () => {
    const res = await h.request(`/gems/gems/${top.filename}`)
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).equals(top.bytes)).toBe(true)
    const again = await h.request(`/gems/gems/${top.filename}`)
    expect(again.headers.get('x-larder-cache')).toBe('HIT')
    expect(h.upstream.hitCount(`/gems/${top.filename}`)).toBe(1)
  })

  it('reads the private file, the stored entry and the private document once per request; a hit never reads /info', async () => {
    const once = await buildGem({ name: 'app-once', version: '1.0.0' })
    await h.upstream.publish(once)
    const path = `/gems/gems/${once.filename}`
    const { reads, restore } = recordEntryReads(h.services.store)
    const hosted = [`gems-private:file:${once.filename}`, 'gems-private:gem:app-once']
    try {
      expect(Buffer.from(await (await h.request(path)).arrayBuffer()).equals(once.bytes)).toBe(true)
      const count = (key: string) => reads.filter((read) => read === key).length
      for (const key of [...hosted, `gems:file:${once.filename}`]) expect(count(key), key).toBe(1)
      reads.length = 0
      const hit = await h.request(path)
      expect(hit.headers.get('x-larder-cache')).toBe('HIT')
      await hit.arrayBuffer()
      expect(reads).toEqual([hosted[0], `gems:file:${once.filename}`, hosted[1]])
    } finally {
      restore()
    }
  })

  it('refuses bytes that do not match the checksum and stores nothing', async () => {
    await h.upstream.setFault('corrupt', (path) => path.endsWith('.gem'))
    const res = await h.request(`/gems/gems/${base.filename}`)
    await expect(res.arrayBuffer()).rejects.toThrow()
    await h.upstream.setFault(null)
    expect(await h.services.store.getEntry(`gems:file:${base.filename}`)).toBeUndefined()
    const good = await h.request(`/gems/gems/${base.filename}`)
    expect(good.headers.get('x-larder-cache')).toBe('MISS')
    expect(Buffer.from(await good.arrayBuffer()).equals(base.bytes)).toBe(true)
    expect(await readdir(h.services.store.spoolDir)).toEqual([])
  })

  it('404s a file /info does not list, and refuses traversal', async () => {
    expect((await h.request('/gems/gems/app-top-9.9.9.gem')).status).toBe(404)
    for (const path of ['/gems/gems/..%2f..%2fetc%2fpasswd.gem', '/gems/info/..%2fversions', '/gems/quick/Marshal.4.8/%2e%2e.gemspec.rz']) {
      const res = await h.request(path)
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as any).code).toBe('E_INVALID_NAME')
    }
  })

  it('asks upstream for a few /info documents at most for a file name that splits many ways', async () => {
    await h.request('/gems/versions')
    h.upstream.resetHits()
    const stem = `zz${'-1'.repeat(100)}`
    expect((await h.request(`/gems/gems/${stem}.gem`)).status).toBe(404)
    expect(h.upstream.hitCount((path) => path.startsWith('/info/'))).toBe(MAX_UNLISTED_CANDIDATES)
  })

  it('passes legacy specs and quick specs through', async () => {
    const specs = await h.request('/gems/specs.4.8.gz')
    expect(specs.status).toBe(200)
    expect(Buffer.from(await specs.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    const quick = await h.request('/gems/quick/Marshal.4.8/app-top-2.0.0.gemspec.rz')
    expect(Buffer.from(await quick.arrayBuffer()).equals(top.quickSpec)).toBe(true)
  })
})

describe('push and yank', () => {
  it('refuses a push without a gems key', async () => {
    expect((await push(mine.bytes, null)).status).toBe(401)
    expect((await push(mine.bytes, 'npm-only-token-1')).status).toBe(403)
  })

  it('refuses malformed and oversized bodies with a clear 4xx', async () => {
    const garbage = await push(Buffer.from('not a gem at all'))
    expect(garbage.status).toBe(400)
    expect(((await garbage.json()) as any).error).toMatch(/not a valid \.gem/)
    const tarOfOther = (await run('tar', ['-c', '-f', '-', '-C', '/etc', 'hostname'])).stdout
    expect((await push(Buffer.from(tarOfOther, 'latin1'))).status).toBe(400)
    const big = await push(Buffer.alloc(2 * 1024 * 1024, 1))
    expect(big.status).toBe(413)
  })

  it('publishes a private gem that shadows the upstream name in /versions, /info and /names', async () => {
    expect((await h.request(`/gems/gems/${shadow.filename}`)).status).toBe(200)
    const upstreamInfoHits = h.upstream.hitCount('/info/app-shadow')
    // The upstream has app-shadow: only a name listed in LARDER_GEMS_PRIVATE_NAMES may shadow it.
    expect((await push(mine.bytes)).status).toBe(409)
    const { app: listing } = createGemsApp({
      services: h.services,
      settings: { ...settingsOf(gemsMirror, h.services.config), privateNames: parsePrivateNames('app-shadow') },
    })
    const res = await listing.request(`${BASE}/gems/api/v1/gems`, { method: 'POST', body: new Uint8Array(mine.bytes), headers: { authorization: TEST_TOKEN } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('Successfully registered gem: app-shadow (0.1.0)')
    expect((await push(mine.bytes)).status).toBe(409)
    const info = await (await h.request('/gems/info/app-shadow')).text()
    expect(info).toBe(`---\n0.1.0 app-base:< 2&>= 1.0|checksum:${mine.sha256},ruby:>= 2.5\n`)
    const versions = await (await h.request('/gems/versions')).text()
    expect(versions.split('\n').filter((l) => l.startsWith('app-shadow '))).toEqual([`app-shadow 0.1.0 ${md5(info)}`])
    const file = await h.request(`/gems/gems/${mine.filename}`)
    expect(Buffer.from(await file.arrayBuffer()).equals(mine.bytes)).toBe(true)
    // Cached from upstream before the name was pushed: no longer served.
    expect((await h.request(`/gems/gems/${shadow.filename}`)).status).toBe(404)
    expect(h.upstream.hitCount('/info/app-shadow')).toBe(upstreamInfoHits)
  })

  it('writes a quick spec Ruby loads as the pushed Gem::Specification', async () => {
    const quick = Buffer.from(await (await h.request('/gems/quick/Marshal.4.8/app-shadow-0.1.0.gemspec.rz')).arrayBuffer())
    const script =
      'require "rubygems"; s = Marshal.load(STDIN.read); print [s.full_name, s.dependencies.map(&:to_s).join(";"), s.required_ruby_version.to_s, s.summary, s.platform].join("|")'
    const loaded = await run('ruby', ['-e', script], { input: inflateSync(quick) })
    expect(loaded.stderr).toBe('')
    expect(loaded.stdout).toBe('app-shadow-0.1.0|app-base (>= 1.0, < 2)|>= 2.5|app-shadow for Larder tests|ruby')
  })

  it('yanks a private version out of the index and stops serving it', async () => {
    const yank = await h.request('/gems/api/v1/gems/yank', {
      method: 'DELETE',
      headers: { authorization: TEST_TOKEN, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'gem_name=app-shadow&version=0.1.0',
    })
    expect(yank.status).toBe(200)
    expect(await (await h.request('/gems/info/app-shadow')).text()).toBe('---\n')
    expect(await (await h.request('/gems/versions')).text()).not.toMatch(/^app-shadow /m)
    expect((await h.request(`/gems/gems/${mine.filename}`)).status).toBe(404)
    const mirrored = await h.request('/gems/api/v1/gems/yank?gem_name=app-top&version=2.0.0', { method: 'DELETE', headers: { authorization: TEST_TOKEN } })
    expect(mirrored.status).toBe(403)
  })
})

describe('offline', () => {
  it('serves what passed through and says what is missing', async () => {
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    const versions = await offline.request('/gems/versions')
    expect(versions.status).toBe(200)
    const text = await versions.text()
    const info = await (await offline.request('/gems/info/app-top')).text()
    expect(lastMd5(text, 'app-top')).toBe(md5(info))
    const file = await offline.request(`/gems/gems/${top.filename}`)
    expect(Buffer.from(await file.arrayBuffer()).equals(top.bytes)).toBe(true)
    expect((await offline.request('/gems/info/never-fetched')).status).toBe(504)
  })
})
