/** Real composer through the Composer mirror: update, install from the lock with both upstream hosts down and offline, TTL, shasum, audit. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildComposerPackage,
  composerVersionEntry,
  makeTempDir,
  startComposerDistFixture,
  startComposerMetadataFixture,
  waitFor,
  writeComposerProject,
  type ComposerDistFixture,
  type ComposerMetadataFixture,
  type TempDir,
} from '@larder/testkit'
import { createComposerClient, describeRun, lockedPackages, removeVendor, type ComposerClient } from './composer-client.js'
import { startComposerServer, type ComposerServer } from './composer-process.js'

const TTL_SECONDS = 2
let metadata: ComposerMetadataFixture
let dists: ComposerDistFixture
let client: ComposerClient
let store: TempDir
let larder: ComposerServer | undefined
let project: string

const lib10 = buildComposerPackage({ name: 'acme/lib', version: '1.0.0' })
const lib11 = buildComposerPackage({ name: 'acme/lib', version: '1.1.0' })
const app10 = buildComposerPackage({ name: 'acme/app', version: '1.0.0', require: { 'acme/lib': '^1.0' } })
const bad = buildComposerPackage({ name: 'acme/bad', version: '1.0.0' })

async function restartLarder(env: Record<string, string> = {}): Promise<ComposerServer> {
  const port = larder?.port
  await larder?.stop()
  larder = await startComposerServer({
    dataDir: store.path,
    ...(port ? { port } : {}),
    env: { LARDER_COMPOSER_UPSTREAM: metadata.url, LARDER_INDEX_TTL_SECONDS: String(TTL_SECONDS), ...env },
  })
  return larder
}

const installedVersion = async (name: string) => {
  const result = await client.php(
    `require 'vendor/autoload.php'; echo \\${name.replace('/', '\\').replace(/(^|\\)(\w)/g, (m) => m.toUpperCase())}\\Version::VERSION;`,
    project,
  )
  return result.stdout.trim() || describeRun(result)
}

beforeAll(async () => {
  dists = await startComposerDistFixture()
  // The dist host of real life is a code host: app's zipball has no shasum, lib's has one.
  metadata = await startComposerMetadataFixture({
    versions: [
      composerVersionEntry(lib10, { distUrl: dists.add(lib10) }),
      composerVersionEntry(app10, { distUrl: dists.add(app10), shasum: 'empty' }),
      composerVersionEntry(bad, { distUrl: dists.add(bad, Buffer.concat([bad.zip, Buffer.from('tampered')])) }),
    ],
  })
  store = await makeTempDir('larder-e2e-composer-store-')
  client = await createComposerClient()
  await restartLarder()
  project = join(client.root, 'project')
  await writeComposerProject(project, { repositoryUrl: larder!.repositoryUrl })
})

afterAll(async () => {
  await larder?.stop()
  await metadata?.stop()
  await dists?.stop()
  await client?.cleanup()
  await store?.cleanup()
})

describe('composer through the mirror', () => {
  it('requires a package and its dependency; the lock keeps canonical dist URLs and Larder as preferred mirror', async () => {
    await client.freshCache()
    const result = await client.composer(['require', 'acme/app:^1.0'], project)
    expect(result.code, describeRun(result) + larder!.output()).toBe(0)
    expect(await installedVersion('acme/lib')).toBe('1.0.0')
    const locked = await lockedPackages(project)
    const lib = locked.find((p) => p.name === 'acme/lib')!
    expect(lib.dist.url).toBe(`${dists.url}/zipball/acme/lib/${lib10.reference}`)
    expect(lib.dist.mirrors).toEqual([{ url: `${larder!.repositoryUrl}/dists/%package%/%version%/%reference%.%type%`, preferred: true }])
    const paths = (await larder!.requests()).map((r) => r.path)
    expect(paths).toContain(`/composer/dists/acme/lib/1.0.0.0/${lib10.reference}.zip`)
    expect(paths).toContain(`/composer/dists/acme/app/1.0.0.0/${app10.reference}.zip`)
    expect(dists.hitCount(`/zipball/acme/lib/${lib10.reference}`)).toBe(1)
  })

  it('composer audit reaches the upstream advisories API through Larder', async () => {
    metadata.setAdvisories('acme/lib', [
      {
        advisoryId: 'PKSA-larder-1',
        packageName: 'acme/lib',
        title: 'Larder test advisory',
        affectedVersions: '<1.1.0',
        sources: [{ name: 'test', remoteId: 'T-1' }],
        reportedAt: '2024-01-01 00:00:00',
        cve: null,
        link: null,
      },
    ])
    const result = await client.composer(['audit', '--locked', '--format=plain'], project)
    expect(result.code, describeRun(result)).not.toBe(0)
    expect(result.stdout + result.stderr).toContain('Larder test advisory')
    expect((await larder!.requests()).some((r) => r.path === '/composer/api/security-advisories/' && r.status === 200)).toBe(true)
    metadata.setAdvisories('acme/lib', [])
  })

  it('installs from the lock with an empty cache while the metadata and dist hosts are down', async () => {
    await metadata.setFault('refuse')
    await dists.setFault('refuse')
    try {
      await removeVendor(project)
      await client.freshCache()
      const result = await client.composer(['install'], project)
      expect(result.code, describeRun(result) + larder!.output()).toBe(0)
      expect(await installedVersion('acme/lib')).toBe('1.0.0')
      expect(await installedVersion('acme/app')).toBe('1.0.0')
    } finally {
      await metadata.setFault(null)
      await dists.setFault(null)
    }
  })

  it('installs from the lock with LARDER_OFFLINE=1 and an empty cache', async () => {
    await restartLarder({ LARDER_OFFLINE: '1' })
    const before = dists.totalHits() + metadata.totalHits()
    await removeVendor(project)
    await client.freshCache()
    const result = await client.composer(['install'], project)
    expect(result.code, describeRun(result) + larder!.output()).toBe(0)
    expect(await installedVersion('acme/app')).toBe('1.0.0')
    expect(dists.totalHits() + metadata.totalHits()).toBe(before)
    expect((await larder!.requests()).filter((r) => r.path.startsWith('/composer/dists/')).every((r) => r.cache === 'OFFLINE')).toBe(true)
  })

  it('sees a new upstream version once the TTL has passed', async () => {
    await restartLarder()
    metadata.publish(composerVersionEntry(lib11, { distUrl: dists.add(lib11) }))
    await waitFor(
      async () => {
        const body = await (await fetch(`${larder!.repositoryUrl}/p2/acme/lib.json`)).text()
        return body.includes('"1.1.0"')
      },
      { timeoutMs: (TTL_SECONDS + 10) * 1000, intervalMs: 250, description: 'acme/lib 1.1.0 in the mirrored p2 file' },
    )
    const result = await client.composer(['update', 'acme/lib'], project)
    expect(result.code, describeRun(result) + larder!.output()).toBe(0)
    expect(await installedVersion('acme/lib')).toBe('1.1.0')
    expect((await lockedPackages(project)).find((p) => p.name === 'acme/lib')?.version).toBe('1.1.0')
  })

  it('refuses a dist whose bytes do not match its shasum', async () => {
    await client.freshCache()
    const result = await client.composer(['require', 'acme/bad:^1.0'], project)
    expect(result.code, describeRun(result)).not.toBe(0)
    expect(result.stdout + result.stderr).toMatch(/checksum|502|Bad Gateway/i)
    const direct = await fetch(`${larder!.repositoryUrl}/dists/acme/bad/1.0.0.0/${bad.reference}.zip`)
    expect(direct.status).toBe(502)
    expect(((await direct.json()) as { code: string }).code).toBe('E_INTEGRITY')
  })
})
