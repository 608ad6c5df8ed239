/** A first upload of a package the upstream has is refused (no silent takeover); listed vendors and packages are private from the start. */
import { writeZip } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { settingsOf } from '@larder/core'
import { composerMirror, createApp } from './app.js'
import { BASE, TEST_TOKEN, basicAuth, mirrorPath, startComposerAppHarness, type ComposerAppHarness } from './composer-app.harness.js'
import { parsePrivateNames } from './private/private-names.js'

let harness: ComposerAppHarness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const zipOf = (name: string, version: string) =>
  writeZip([
    { name: 'composer.json', data: JSON.stringify({ name, version }) },
    { name: 'src/A.php', data: '<?php\n' },
  ])

const upload = (request: ComposerAppHarness['request'], name: string, version: string) =>
  request('/composer/upload', {
    method: 'PUT',
    headers: { 'content-type': 'application/zip', authorization: basicAuth(TEST_TOKEN) },
    body: zipOf(name, version),
  })

describe('uploading a package the upstream has', () => {
  it('is refused with 409 naming LARDER_COMPOSER_PRIVATE_NAMES, and the upstream package is still served', async () => {
    harness = await startComposerAppHarness()
    harness.publish('monolog/monolog', '3.0.0')
    const res = await upload(harness.request, 'monolog/monolog', '99.0.0')
    expect(res.status).toBe(409)
    const body = (await res.json()) as { code: string; error: string }
    expect(body.code).toBe('E_CONFLICT')
    expect(body.error).toBe(
      `monolog/monolog exists on the upstream registry ${harness.metadata.url}; publishing it here would shadow it for every client. List it in LARDER_COMPOSER_PRIVATE_NAMES to publish it anyway`,
    )
    const p2 = (await (await harness.request('/composer/p2/monolog/monolog.json')).json()) as { packages: Record<string, { version: string }[]> }
    expect(p2.packages['monolog/monolog']!.map((v) => v.version)).toEqual(['3.0.0'])
  })

  it('uploads a package the upstream answers 404 for, and its next versions without asking again', async () => {
    harness = await startComposerAppHarness()
    expect((await upload(harness.request, 'team/fresh', '1.0.0')).status).toBe(201)
    expect(harness.metadata.hitCount((p) => p.startsWith('/p2/team/fresh'))).toBe(1)
    expect((await upload(harness.request, 'team/fresh', '1.1.0')).status).toBe(201)
    expect(harness.metadata.hitCount((p) => p.startsWith('/p2/team/fresh'))).toBe(1)
  })

  it('a listed vendor is never asked upstream: 404 until uploaded, then uploaded without a check', async () => {
    harness = await startComposerAppHarness()
    const upstreamCopy = harness.publish('acme/tool', '5.0.0')
    const app = createApp({
      services: harness.services,
      settings: { ...settingsOf(composerMirror, harness.services.config), privateNames: parsePrivateNames('acme/*') },
    })
    const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(`${BASE}${path}`, init))
    expect((await request('/composer/p2/acme/tool.json')).status).toBe(404)
    expect((await request(mirrorPath(upstreamCopy))).status).toBe(404)
    expect((await upload(request, 'acme/tool', '1.0.0')).status).toBe(201)
    const p2 = (await (await request('/composer/p2/acme/tool.json')).json()) as { packages: Record<string, { version: string }[]> }
    expect(p2.packages['acme/tool']!.map((v) => v.version)).toEqual(['1.0.0'])
    expect(harness.metadata.hitCount((p) => p.includes('acme/tool'))).toBe(0)
    expect(harness.dists.totalHits()).toBe(0)
  })

  it('fails closed with 503 when the upstream cannot be asked (offline, or failing)', async () => {
    harness = await startComposerAppHarness()
    const offline = await harness.reopen({ LARDER_OFFLINE: '1' })
    const refused = await upload(offline.request, 'team/unseen', '1.0.0')
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { hint: string }).hint).toContain('LARDER_COMPOSER_PRIVATE_NAMES')
    await harness.metadata.setFault('status503', (p) => p.includes('team/unseen'))
    const res = await upload(harness.request, 'team/unseen', '1.0.0')
    expect(res.status).toBe(503)
    expect(((await res.json()) as { code: string }).code).toBe('E_NAME_CHECK_UNAVAILABLE')
  })

  it('LARDER_COMPOSER_PRIVATE_NAMES takes vendor/* and vendor/name, with a message naming it', () => {
    const names = parsePrivateNames('Acme/*, team/tool')
    expect(names.has('acme/anything')).toBe(true)
    expect(names.has('acmex/anything')).toBe(false)
    expect(names.has('team/tool')).toBe(true)
    expect(names.has('team/other')).toBe(false)
    for (const bad of ['acme', 'acme-*', '*', 'acme/to*', 'a/b/c']) expect(() => parsePrivateNames(bad)).toThrow(/LARDER_COMPOSER_PRIVATE_NAMES/)
  })
})
