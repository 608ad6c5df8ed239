/**
 * The rebuild guarantee for Composer: the real composer writes composer.lock through Larder A;
 * `larder prefetch` fills a fresh store (dists at the mirror URL Composer builds, p2 files),
 * `larder verify` passes, and the real `composer install` with an empty cache installs from a Larder
 * on that store with LARDER_OFFLINE=1 without touching the dist host.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildComposerPackage,
  composerVersionEntry,
  startComposerDistFixture,
  startComposerMetadataFixture,
  writeComposerProject,
  type ComposerDistFixture,
  type ComposerMetadataFixture,
} from '@larder/testkit'
import { createComposerClient, describeRun, removeVendor, type ComposerClient } from '../composer/composer-client.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { makeWorkDir, type WorkDir } from '../support/work-dir.js'
import { exportAndCheck, importWhileServing, sha256Hex } from './bundle-steps.js'
import { describeCli, larderCli, parseReport, verifyWithoutBlob } from './larder-cli.js'
import { get, startDeadUpstreamLarder, startOfflineLarder } from './store-larders.js'

const lib = buildComposerPackage({ name: 'acme/lib', version: '1.0.0' })
const app = buildComposerPackage({ name: 'acme/app', version: '1.0.0', require: { 'acme/lib': '^1.0' } })
let metadata: ComposerMetadataFixture
let dists: ComposerDistFixture
let client: ComposerClient
let larderA: LarderServer
let work: WorkDir
let project: string
let lockfile: string
let prefetched: string
const servers: LarderServer[] = []

const upstreamEnv = () => ({ LARDER_COMPOSER_UPSTREAM: metadata.url })

beforeAll(async () => {
  dists = await startComposerDistFixture()
  // lib's metadata publishes a shasum, app's does not (as for GitHub zipballs on packagist).
  metadata = await startComposerMetadataFixture({
    versions: [composerVersionEntry(lib, { distUrl: dists.add(lib) }), composerVersionEntry(app, { distUrl: dists.add(app), shasum: 'empty' })],
  })
  larderA = await startLarder({ env: upstreamEnv() })
  client = await createComposerClient()
  await client.freshCache()
  work = await makeWorkDir('larder-e2e-rebuild-composer-')
  project = join(client.root, 'project')
  await writeComposerProject(project, { repositoryUrl: `${larderA.url}/composer` })
  const required = await client.composer(['require', 'acme/app:^1.0'], project)
  if (required.code !== 0) throw new Error(describeRun(required))
  lockfile = join(project, 'composer.lock')
  prefetched = await work.dir('store-prefetched')
})

afterAll(async () => {
  for (const server of servers) await server.stop()
  await larderA?.stop()
  await metadata?.stop()
  await dists?.stop()
  await client?.cleanup()
  await work?.cleanup()
})

describe('larder prefetch and verify of a composer.lock composer wrote', () => {
  it('prefetch holds both dists (shasum checked where the lock has one) and the p2 files; verify passes', async () => {
    dists.resetHits()
    const prefetch = await larderCli(['prefetch', lockfile], prefetched, upstreamEnv())
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(dists.hitCount(`/zipball/acme/lib/${lib.reference}`)).toBe(1)
    const verify = await larderCli(['verify', '--json', lockfile], prefetched)
    expect(verify.code, describeCli(verify)).toBe(0)
    const report = parseReport(verify)
    const byName = Object.fromEntries(report.lockfiles[0]!.packages.map((p) => [p.name, p]))
    expect(byName['acme/lib']!.files).toEqual([expect.objectContaining({ path: `/composer/dists/acme/lib/1.0.0.0/${lib.reference}.zip`, verified: ['sha1'] })])
    expect(byName['acme/app']!.files).toEqual([expect.objectContaining({ path: `/composer/dists/acme/app/1.0.0.0/${app.reference}.zip`, verified: [] })])
    // packages.json and the two p2 files.
    expect(report.totals.documents).toBe(3)
  })

  it('the real composer install with an empty cache installs from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    // On A's port, composer.json's repository.
    const offline = await startOfflineLarder(prefetched, 'LARDER_COMPOSER_UPSTREAM', { replacing: larderA })
    servers.push(offline)
    await removeVendor(project)
    await client.freshCache()
    dists.resetHits()
    const install = await client.composer(['install'], project)
    expect(install.code, describeRun(install) + offline.output()).toBe(0)
    expect(await readFile(join(project, 'vendor/acme/lib/composer.json'), 'utf8')).toContain('acme/lib')
    expect((await offline.requests()).filter((r) => r.path.startsWith('/composer/dists/') && r.status === 200 && r.cache === 'OFFLINE')).toHaveLength(2)
    expect(dists.requests.length).toBe(0)
    await offline.stop()
  })

  it('export bundles what composer.lock needs; composer install installs from a running Larder with a dead upstream that imported it', async () => {
    const bundle = join(await work.dir('bundle'), 'bundle.tar')
    const names = [lib, app].map((pkg) => ({ purl: `pkg:composer/${pkg.name}@${pkg.version}`, sha256: [sha256Hex(pkg.zip)] }))
    const { manifest } = await exportAndCheck([lockfile], prefetched, { out: bundle, into: await work.dir('bundle-extracted') }, names, { zstd: false })

    // B: on A's port (composer.json's repository), a fresh store, an upstream nobody listens on (index TTL 0, so it asks it); running before the import.
    const imported = await startDeadUpstreamLarder(await work.dir('store-imported'), 'LARDER_COMPOSER_UPSTREAM', { replacing: larderA })
    servers.push(imported)
    // Until the import B cannot serve acme/lib's dist.
    const asked = await importWhileServing(imported, bundle, manifest, `${imported.url}/composer/dists/acme/lib/1.0.0.0/${lib.reference}.zip`, lib.zip)
    // The root facts B imported name the p2 files by an absolute URL on the metadata host they came from, which B asks
    // when its own upstream is dead: off the network that host is dead too, and so are the dist hosts (nothing listens).
    await Promise.all([metadata.setFault('refuse'), dists.setFault('refuse')])
    try {
      await removeVendor(project)
      await client.freshCache()
      const install = await client.composer(['install'], project)
      expect(install.code, describeRun(install) + imported.output()).toBe(0)
      // The files composer unpacked are those of the zips built.
      for (const pkg of [lib, app]) {
        expect(await readFile(join(project, 'vendor', pkg.name, 'composer.json'), 'utf8')).toBe(`${JSON.stringify(pkg.composerJson, null, 4)}\n`)
        expect(await readFile(join(project, 'vendor', pkg.name, 'src/Version.php'), 'utf8')).toContain(`VERSION = '${pkg.version}'`)
      }
      const answered = (await imported.requests()).slice(asked)
      expect(answered.filter((r) => r.path.startsWith('/composer/dists/') && r.status === 200 && r.cache === 'HIT')).toHaveLength(2)
      // The p2 files past their TTL, no upstream answering: B serves its stored copy.
      for (const pkg of [lib, app]) expect(await get(`${imported.url}/composer/p2/${pkg.name}.json`)).toMatchObject({ status: 200, cache: 'STALE' })
    } finally {
      await Promise.all([metadata.setFault(null), dists.setFault(null)])
    }
    await imported.stop()
  })

  it('a shasum that does not match the dist fails prefetch, naming the package', async () => {
    const lock = JSON.parse(await readFile(lockfile, 'utf8'))
    lock.packages.find((p: { name: string }) => p.name === 'acme/app').dist.shasum = createHash('sha1').update('other').digest('hex')
    const wrong = join(await work.dir('wrong'), 'composer.lock')
    await writeFile(wrong, JSON.stringify(lock, null, 4))
    const prefetch = await larderCli(['prefetch', wrong], await work.dir('store-wrong'), upstreamEnv())
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(
      /not held \(1\):\n {2}composer acme\/app@1\.0\.0 .*\n {4}\/composer\/dists\/acme\/app\/.*: the bytes do not match the lockfile/,
    )
  })

  it('verify after one blob is deleted from the store fails, naming that package', async () => {
    expect(await verifyWithoutBlob(prefetched, sha256Hex(lib.zip), lockfile)).toMatch(/not held \(1\):\n {2}composer acme\/lib@1\.0\.0 /)
  })
})
