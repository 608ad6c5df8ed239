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
    const res = await put('evil-pkg', publishBody('evil-pkg', '1.0.0', writeTarGz(entries)))
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(message)
    await expectNothingStored('evil-pkg', '1.0.0')
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
