/** A first push of a gem the upstream has is refused (no silent takeover of rack); listed gems are private from the start. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGem, type BuiltGem } from '@larder/testkit'
import { settingsOf } from '@larder/core'
import { createGemsApp, gemsMirror } from './app.js'
import { readGemsSettings } from './settings/gems-settings.js'
import { BASE, TEST_TOKEN, startGemsAppHarness, type GemsAppHarness } from './gems-app.harness.js'
import { parsePrivateNames } from './private/private-names.js'

let rack: BuiltGem
let fresh: BuiltGem[]
let listed: BuiltGem
let unseen: BuiltGem
let h: GemsAppHarness

beforeAll(async () => {
  const upstreamRack = await buildGem({ name: 'rack', version: '3.0.0' })
  const upstreamListed = await buildGem({ name: 'acme-listed', version: '5.0.0' })
  rack = await buildGem({ name: 'rack', version: '99.0.0' })
  fresh = [await buildGem({ name: 'gem-fresh', version: '1.0.0' }), await buildGem({ name: 'gem-fresh', version: '1.1.0' })]
  listed = await buildGem({ name: 'acme-listed', version: '1.0.0' })
  unseen = await buildGem({ name: 'gem-unseen', version: '1.0.0' })
  h = await startGemsAppHarness([upstreamRack, upstreamListed])
}, 180_000)

afterAll(async () => {
  await h?.close()
})

const push = (gem: BuiltGem, request = h.request) =>
  request('/gems/api/v1/gems', {
    method: 'POST',
    body: new Uint8Array(gem.bytes),
    headers: { 'content-type': 'application/octet-stream', authorization: TEST_TOKEN },
  })

describe('pushing a gem the upstream has', () => {
  it('is refused with 409 naming LARDER_GEMS_PRIVATE_NAMES, and the upstream gem is still served', async () => {
    const res = await push(rack)
    expect(res.status).toBe(409)
    const body: any = await res.json()
    expect(body.code).toBe('E_CONFLICT')
    expect(body.error).toBe(
      `rack exists on the upstream registry ${h.upstream.url}; publishing it here would shadow it for every client. List it in LARDER_GEMS_PRIVATE_NAMES to publish it anyway`,
    )
    const info = await h.request('/gems/info/rack')
    expect(info.headers.get('x-larder-cache')).not.toBe('PRIVATE')
    expect(await info.text()).toMatch(/^3\.0\.0 /m)
  })

  it('pushes a gem the upstream answers 404 for, and its next versions without asking again', async () => {
    expect((await push(fresh[0]!)).status).toBe(200)
    expect(h.upstream.hitCount('/info/gem-fresh')).toBe(1)
    expect((await push(fresh[1]!)).status).toBe(200)
    expect(h.upstream.hitCount('/info/gem-fresh')).toBe(1)
  })

  it('a listed gem (prefix acme-*) is never asked upstream: 404 until pushed, then pushed without a check', async () => {
    const { app } = createGemsApp({
      services: h.services,
      settings: { ...settingsOf(gemsMirror, h.services.config), privateNames: parsePrivateNames('acme-*') },
    })
    const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(`${BASE}${path}`, init))
    expect((await request('/gems/info/acme-listed')).status).toBe(404)
    expect((await request('/gems/gems/acme-listed-5.0.0.gem')).status).toBe(404)
    expect((await push(listed, request)).status).toBe(200)
    expect(await (await request('/gems/info/acme-listed')).text()).toMatch(/^1\.0\.0 /m)
    expect(h.upstream.hitCount((p) => p.includes('acme-listed'))).toBe(0)
  })

  it('fails closed with 503 when the upstream cannot be asked (offline, or failing)', async () => {
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    const refused = await push(unseen, offline.request)
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as any).hint).toContain('LARDER_GEMS_PRIVATE_NAMES')
    await h.upstream.setFault('status503', (p) => p.includes('gem-unseen'))
    try {
      const res = await push(unseen)
      expect(res.status).toBe(503)
      expect(((await res.json()) as any).code).toBe('E_NAME_CHECK_UNAVAILABLE')
    } finally {
      await h.upstream.setFault(null)
    }
  })

  it('LARDER_GEMS_PRIVATE_NAMES takes names and prefixes, with a message naming it', () => {
    const names = parsePrivateNames('acme_tools, internal-*')
    expect(names.has('acme_tools')).toBe(true)
    expect(names.has('internal-rack')).toBe(true)
    expect(names.has('rack')).toBe(false)
    for (const bad of ['-bad', 'a*b', '*', 'has space', 'a/b']) expect(() => parsePrivateNames(bad)).toThrow(/LARDER_GEMS_PRIVATE_NAMES/)
    expect(() => readGemsSettings({ LARDER_GEMS_PRIVATE_NAMES: 'no/slash' })).toThrow(/LARDER_GEMS_PRIVATE_NAMES/)
  })
})
