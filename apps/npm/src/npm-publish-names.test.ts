/** A first publish of a name the upstream has is refused (no silent takeover of public names); listed names are private from the start. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, type PackedPackage } from '@larder/testkit'
import { settingsOf } from '@larder/core'
import { createApp, npmMirror } from './app.js'
import { readNpmSettings } from './settings/npm-settings.js'
import { BASE, TEST_TOKEN, startNpmAppHarness, type NpmAppHarness } from './npm-app.harness.js'
import { parsePrivateNames } from './private/private-names.js'

let h: NpmAppHarness

beforeAll(async () => {
  const upstream = [
    await packNpmPackage({ name: 'pub-taken', version: '1.0.0' }),
    await packNpmPackage({ name: 'pub-listed', version: '5.0.0' }),
    await packNpmPackage({ name: '@up/taken', version: '1.0.0' }),
  ]
  h = await startNpmAppHarness(upstream)
}, 60_000)

afterAll(async () => {
  await h?.close()
})

function publishDoc(pkg: PackedPackage): string {
  return JSON.stringify({
    _id: pkg.name,
    name: pkg.name,
    'dist-tags': { latest: pkg.version },
    versions: { [pkg.version]: { ...pkg.manifest, dist: { integrity: pkg.integrity, shasum: pkg.shasum } } },
    _attachments: { [pkg.filename]: { content_type: 'application/octet-stream', data: pkg.tarball.toString('base64'), length: pkg.tarball.length } },
  })
}

async function publish(name: string, version: string, request = h.request): Promise<Response> {
  const pkg = await packNpmPackage({ name, version })
  return request(`/npm/${name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: publishDoc(pkg),
  })
}

const hits = (name: string) => h.registry.hitCount((path) => path.startsWith(`/${name}`))

describe('publishing a name the upstream has', () => {
  it('is refused with 409 naming LARDER_NPM_PRIVATE_NAMES, and the upstream package is still served', async () => {
    for (const name of ['pub-taken', '@up/taken']) {
      const res = await publish(name, '99.0.0')
      expect(res.status).toBe(409)
      const body: any = await res.json()
      expect(body.code).toBe('E_CONFLICT')
      expect(body.error).toBe(
        `${name} exists on the upstream registry ${h.registry.url}; publishing it here would shadow it for every client. List it in LARDER_NPM_PRIVATE_NAMES to publish it anyway`,
      )
      const doc = await h.request(`/npm/${name.replace('/', '%2f')}`)
      expect(doc.headers.get('x-larder-cache')).not.toBe('PRIVATE')
      expect(Object.keys(((await doc.json()) as any).versions)).toEqual(['1.0.0'])
    }
  })

  it('publishes a name the upstream answers 404 for, and later versions without asking again', async () => {
    expect((await publish('pub-fresh', '1.0.0')).status).toBe(201)
    expect(hits('pub-fresh')).toBe(1)
    expect((await publish('pub-fresh', '1.1.0')).status).toBe(201)
    expect(hits('pub-fresh')).toBe(1)
  })

  it('a listed name is never asked upstream: 404 until published, then published without a check', async () => {
    const app = createApp({ services: h.services, settings: { ...settingsOf(npmMirror, h.services.config), privateNames: parsePrivateNames('pub-listed') } })
    const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(`${BASE}${path}`, init))
    expect((await request('/npm/pub-listed')).status).toBe(404)
    expect((await request('/npm/pub-listed/-/pub-listed-5.0.0.tgz')).status).toBe(404)
    expect((await publish('pub-listed', '1.0.0', request)).status).toBe(201)
    expect(Object.keys(((await (await request('/npm/pub-listed')).json()) as any).versions)).toEqual(['1.0.0'])
    expect(hits('pub-listed')).toBe(0)
  })

  it('offline, a name Larder has cached from upstream gets 409 and any other name 503 (fail closed)', async () => {
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    expect((await publish('pub-taken', '98.0.0', offline.request)).status).toBe(409)
    const res = await publish('pub-unseen', '1.0.0', offline.request)
    expect(res.status).toBe(503)
    const body: any = await res.json()
    expect(body.code).toBe('E_NAME_CHECK_UNAVAILABLE')
    expect(body.error).toContain('offline')
    expect(body.hint).toContain('LARDER_NPM_PRIVATE_NAMES')
    await offline.close()
  })

  it('with the upstream failing, is refused with 503 naming the setting, and nothing is stored', async () => {
    await h.registry.setFault('status503', (path) => path.startsWith('/pub-down'))
    try {
      const res = await publish('pub-down', '1.0.0')
      expect(res.status).toBe(503)
      const body: any = await res.json()
      expect(body.code).toBe('E_NAME_CHECK_UNAVAILABLE')
      expect(body.error).toContain(`pub-down cannot be checked against the upstream registry ${h.registry.url}`)
      expect(body.hint).toContain('LARDER_NPM_PRIVATE_NAMES')
    } finally {
      await h.registry.setFault(null)
    }
    expect((await h.request('/npm/pub-down')).status).toBe(404)
  })

  it('LARDER_NPM_PRIVATE_NAMES takes exact package names only, with a message naming it', () => {
    expect(parsePrivateNames(' left-pad-internal , @acme/x ').has('@acme/x')).toBe(true)
    for (const bad of ['Bad Name', 'acme-*', '@acme', '@acme/']) {
      expect(() => parsePrivateNames(bad)).toThrow(/LARDER_NPM_PRIVATE_NAMES/)
    }
    expect(() => readNpmSettings({ LARDER_NPM_PRIVATE_NAMES: 'a/b/c' })).toThrow(/LARDER_NPM_PRIVATE_NAMES/)
  })
})
