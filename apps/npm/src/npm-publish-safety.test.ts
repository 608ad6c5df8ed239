/** Publishes are all or nothing, and tarballs with unsafe entries are refused (security issue #11, findings 2 and 5). */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, writeTarGz, type TarEntryInput } from '@larder/testkit'
import { TEST_TOKEN, startNpmAppHarness, type NpmAppHarness } from './npm-app.harness.js'

let h: NpmAppHarness

beforeAll(async () => {
  h = await startNpmAppHarness([])
}, 60_000)

afterAll(async () => {
  await h?.close()
})

/** The document `npm publish` sends for `tarball`, with `manifest` as the version's manifest. */
function publishBody(name: string, version: string, tarball: Buffer, manifest: Record<string, unknown> = {}): string {
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: { [version]: { name, version, ...manifest, dist: { integrity, shasum: createHash('sha1').update(tarball).digest('hex') } } },
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  })
}

const put = (name: string, body: string) =>
  h.request(`/npm/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` }, body })

async function expectNothingStored(name: string, version: string) {
  expect((await h.request(`/npm/${name}`)).status).toBe(404)
  expect((await h.request(`/npm/${name}/-/${name}-${version}.tgz`)).status).toBe(404)
}

/** A publish refused with a 400 whose message says why, and nothing of it stored. */
async function expectRefused(name: string, tarball: Buffer, message: RegExp) {
  const res = await put(name, publishBody(name, '1.0.0', tarball))
  expect(res.status).toBe(400)
  expect(((await res.json()) as { error: string }).error).toMatch(message)
  await expectNothingStored(name, '1.0.0')
}

describe('a publish that fails leaves nothing behind', () => {
  it('refuses a manifest nested 200,000 levels deep with a 400 naming the limit; neither packument nor tarball is served', async () => {
    const pkg = await packNpmPackage({ name: 'deep-manifest', version: '1.0.0' })
    const deep = `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`
    const body = publishBody('deep-manifest', '1.0.0', pkg.tarball).replace('"version":"1.0.0",', `"version":"1.0.0","nested":${deep},`)
    const res = await put('deep-manifest', body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/deeper than the limit of 64 levels/)
    await expectNothingStored('deep-manifest', '1.0.0')
  })

  it('still publishes an ordinary package', async () => {
    const pkg = await packNpmPackage({ name: 'plain-ok', version: '1.0.0' })
    expect((await put('plain-ok', publishBody('plain-ok', '1.0.0', pkg.tarball, pkg.manifest))).status).toBe(201)
    expect((await h.request('/npm/plain-ok/-/plain-ok-1.0.0.tgz')).status).toBe(200)
  })
})

describe('tarballs with unsafe entries', () => {
  const manifest = JSON.stringify({ name: 'evil-pkg', version: '1.0.0' })
  it.each<[string, TarEntryInput[], RegExp]>([
    [
      'a ../ entry',
      [
        { name: 'package/package.json', data: manifest },
        { name: 'package/../../evil.sh', data: 'echo pwned' },
      ],
      /unsafe entry "package\/..\/..\/evil.sh": it has a '..' segment/,
    ],
    [
      'an absolute path',
      [
        { name: 'package/package.json', data: manifest },
        { name: '/tmp/evil.sh', data: 'x' },
      ],
      /absolute path/,
    ],
    [
      'a symlink out of the package',
      [
        { name: 'package/package.json', data: manifest },
        { name: 'package/rc', type: 'symlink', linkTarget: '../../../.bashrc' },
      ],
      /links outside the package/,
    ],
    [
      'a hard link out of the package',
      [
        { name: 'package/package.json', data: manifest },
        { name: 'package/pw', type: 'hardlink', linkTarget: '/etc/passwd' },
      ],
      /hard link to an unsafe path/,
    ],
  ])('refuses %s with a 400 and stores nothing', async (_what, entries, message) => {
    await expectRefused('evil-pkg', writeTarGz(entries), message)
  })

  it('takes a symlink that stays inside the package', async () => {
    const tarball = writeTarGz([
      { name: 'package/package.json', data: JSON.stringify({ name: 'linked-pkg', version: '1.0.0' }) },
      { name: 'package/lib/index.js', data: 'module.exports = 1' },
      { name: 'package/index.js', type: 'symlink', linkTarget: 'lib/index.js' },
    ])
    expect((await put('linked-pkg', publishBody('linked-pkg', '1.0.0', tarball))).status).toBe(201)
  })
})

describe('what a publisher may not claim', () => {
  const tarballOf = (packageJson: Record<string, unknown>) =>
    writeTarGz([
      { name: 'package/package.json', data: JSON.stringify(packageJson) },
      { name: 'package/index.js', data: 'module.exports = 1' },
    ])

  it.each([
    ['another name', { name: 'evil', version: '1.0.0' }, /package\.json is evil@1\.0\.0, the document publishes confused-pkg@1\.0\.0/],
    ['another version', { name: 'confused-pkg', version: '9.9.9' }, /package\.json is confused-pkg@9\.9\.9/],
  ])('refuses a tarball whose package.json has %s, and stores nothing', async (_what, packageJson, message) => {
    await expectRefused('confused-pkg', tarballOf(packageJson), message)
  })

  it('takes a package.json whose version npm cleaned in the document (v1.0.0 packed, 1.0.0 published)', async () => {
    expect((await put('cleaned-pkg', publishBody('cleaned-pkg', '1.0.0', tarballOf({ name: 'cleaned-pkg', version: 'v1.0.0' })))).status).toBe(201)
  })

  it('refuses a tarball without a package.json in its top folder', async () => {
    await expectRefused('bare-pkg', writeTarGz([{ name: 'package/index.js', data: 'x' }]), /one package\.json, in its top folder/)
  })

  it("says install scripts the tarball's package.json declares, and drops the publisher's signatures, attestations and maintainers", async () => {
    const tarball = tarballOf({ name: 'claims-pkg', version: '1.0.0', scripts: { postinstall: 'node x.js' } })
    const body = JSON.parse(publishBody('claims-pkg', '1.0.0', tarball)) as Record<string, any>
    const version = body.versions['1.0.0']
    version.maintainers = [{ name: 'isaacs', email: 'i@npmjs.com' }]
    version.dist.signatures = [{ keyid: 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA', sig: 'forged' }]
    version.dist.attestations = { url: 'http://evil.example/att', provenance: { predicateType: 'x' } }
    expect((await put('claims-pkg', JSON.stringify(body))).status).toBe(201)
    const abbreviated = (await (await h.request('/npm/claims-pkg', { headers: { accept: 'application/vnd.npm.install-v1+json' } })).json()) as any
    expect(abbreviated.versions['1.0.0'].hasInstallScript).toBe(true)
    const full = (await (await h.request('/npm/claims-pkg')).json()) as any
    const stored = full.versions['1.0.0']
    expect(stored.dist.signatures).toBeUndefined()
    expect(stored.dist.attestations).toBeUndefined()
    expect(stored.maintainers).toBeUndefined()
    expect(stored.dist.integrity).toBe(version.dist.integrity)
  })

  it('refuses a first publish of a name with capitals, as npm does', async () => {
    const tarball = tarballOf({ name: 'MixedCase', version: '1.0.0' })
    const res = await put('MixedCase', publishBody('MixedCase', '1.0.0', tarball))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'E_INVALID_NAME', hint: 'publish it as mixedcase' })
  })

  it.each(['__proto__', 'v1', 'x'.repeat(129)])('refuses to set the dist-tag %s, which npm could not use', async (tag) => {
    const pkg = await packNpmPackage({ name: 'tagged-pkg', version: '1.0.0' })
    await put('tagged-pkg', publishBody('tagged-pkg', '1.0.0', pkg.tarball, pkg.manifest))
    const res = await h.request(`/npm/-/package/tagged-pkg/dist-tags/${tag}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
      body: '"1.0.0"',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/invalid dist-tag/)
  })
})
