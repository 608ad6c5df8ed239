/**
 * The rebuild guarantee for npm: the real npm writes package-lock.json through Larder A; `larder
 * prefetch` fills a fresh store (in-process, and through a running server), `larder verify` passes,
 * and the real `npm ci` with an empty cache installs from a Larder on that store with LARDER_OFFLINE=1.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, run, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, removeNodeModules, type ClientSandbox } from '../support/clients.js'
import { REPO_ROOT, startLarder, type LarderServer } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, packNpmGraph, writeProject, type NpmGraph } from '../support/npm-graph.js'
import {
  awaitServed,
  deadUpstream,
  deadUpstreamEnv,
  expectBundleNames,
  exportBundle,
  extractBundle,
  filesUnder,
  get,
  importBundle,
  sha256Hex,
  storeFiles,
} from './bundle-steps.js'
import { describeCli, larderCli, parseReport } from './larder-cli.js'

let graph: NpmGraph
let fixture: NpmRegistryFixture
let larderA: LarderServer
let clients: ClientSandbox
let work: TempDir
let project: string
let lockfile: string
/** A' : the store `larder prefetch` fills in this process. */
let prefetched: string
const servers: LarderServer[] = []

const dir = async (name: string) => {
  const path = join(work.path, name)
  await mkdir(path, { recursive: true })
  return path
}

beforeAll(async () => {
  graph = await packNpmGraph()
  fixture = await startNpmRegistryFixture({ packages: graph.all })
  larderA = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url } })
  clients = await createClientSandbox({ registry: larderA.npmRegistry })
  work = await makeTempDir('larder-e2e-rebuild-npm-')
  project = await writeProject(join(work.path, 'app'))
  const install = await clients.npm(['install'], { cwd: project })
  if (install.code !== 0) throw new Error(describeRun(install))
  lockfile = join(project, 'package-lock.json')
  prefetched = await dir('store-prefetched')
})

afterAll(async () => {
  for (const server of servers) await server.stop()
  await larderA?.stop()
  await fixture?.stop()
  await clients?.cleanup()
  await work?.cleanup()
})

describe('larder prefetch and verify of a package-lock.json npm wrote', () => {
  it('npx larder works in the checkout', async () => {
    const help = await run('npx', ['--no-install', 'larder', 'prefetch', '--help'], { cwd: REPO_ROOT })
    expect(help.code, describeRun(help)).toBe(0)
    expect(help.stdout).toContain('Usage: larder prefetch')
  })

  it('prefetch in this process holds every package in a fresh store; verify then passes', async () => {
    const lock = JSON.parse(await readFile(lockfile, 'utf8'))
    // The lockfile names Larder A: that is where npm resolved it.
    expect(lock.packages['node_modules/e2e-left'].resolved).toBe(`${larderA.npmRegistry}e2e-left/-/e2e-left-1.0.0.tgz`)
    fixture.resetHits()
    const prefetch = await larderCli(['prefetch', lockfile], prefetched, { LARDER_NPM_UPSTREAM: fixture.url })
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(prefetch.stdout).toMatch(/all 4 packages held and verified/)
    for (const pkg of graph.all) expect(fixture.hitCount(`/${pkg.name}/-/${pkg.filename}`), pkg.filename).toBe(1)

    const verify = await larderCli(['verify', '--json', lockfile], prefetched, { LARDER_NPM_UPSTREAM: 'http://127.0.0.1:9' })
    expect(verify.code, describeCli(verify)).toBe(0)
    const report = parseReport(verify)
    expect(report.totals).toMatchObject({ packages: 4, held: 4, failed: 0, files: 4, documents: 3 })
    for (const pkg of report.lockfiles[0]!.packages) expect(pkg.files[0]).toMatchObject({ cache: 'OFFLINE', verified: ['sha512'] })
  })

  it('prefetch --server through a running Larder holds everything in its store', async () => {
    const store = await dir('store-server')
    const server = await startLarder({ dataDir: store, env: { LARDER_NPM_UPSTREAM: fixture.url } })
    servers.push(server)
    const prefetch = await larderCli(['prefetch', '--server', server.url, '--concurrency', '2', lockfile], await dir('unused'))
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(server.requests().filter((r) => r.path.endsWith('.tgz') && r.status === 200)).toHaveLength(4)
    await server.stop()
    const verify = await larderCli(['verify', lockfile], store)
    expect(verify.code, describeCli(verify)).toBe(0)
  })

  it('the real npm ci with an empty cache installs from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    // On A's port, so the lockfile's resolved URLs reach it; A is gone.
    const port = larderA.port
    await larderA.stop()
    const offline = await startLarder({ dataDir: prefetched, port, env: { LARDER_OFFLINE: '1', LARDER_NPM_UPSTREAM: 'http://127.0.0.1:9' } })
    servers.push(offline)
    await removeNodeModules(project)
    await clients.freshCaches()
    const ci = await clients.npm(['ci'], { cwd: project })
    expect(ci.code, describeRun(ci) + offline.output()).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
    const tarballs = offline.requests().filter((r) => r.path.endsWith('.tgz'))
    expect(tarballs).toHaveLength(4)
    expect(tarballs.every((r) => r.status === 200 && r.cache === 'OFFLINE')).toBe(true)
    await offline.stop()
  })

  it('export bundles what package-lock.json needs; a tampered bundle is refused whole; npm ci installs from a running Larder with a dead upstream that imported it', async () => {
    const bundle = join(await dir('bundle'), 'bundle.tar')
    const exported = await exportBundle([lockfile], prefetched, bundle, { zstd: false })
    const extracted = await extractBundle(bundle, await dir('bundle-extracted'), false)
    expectBundleNames(
      extracted,
      graph.all.map((pkg) => ({ purl: `pkg:npm/${pkg.name.replace('@', '%40')}@${pkg.version}`, sha256: [sha256Hex(pkg.tarball)] })),
    )
    expect(exported).toMatchObject({ entries: extracted.manifest.entries.length, blobs: extracted.manifest.blobs.length })

    // One byte flipped in the middle of e2e-left's tarball inside the tar.
    const bytes = await readFile(bundle)
    const at = bytes.indexOf(graph.left.tarball)
    expect(at).toBeGreaterThan(0)
    bytes[at + (graph.left.tarball.length >> 1)]! ^= 0xff
    const tampered = join(await dir('bundle-tampered'), 'bundle.tar')
    await writeFile(tampered, bytes)
    const [storeB, storeC, emptyStore, emptyOut] = await Promise.all(['store-imported', 'store-refused', 'store-empty', 'bundle-refused'].map(dir))
    const [refused, notHeld, imported] = await Promise.all([
      larderCli(['import', tampered], storeC!),
      larderCli(['export', '--out', join(emptyOut!, 'bundle.tar'), lockfile], emptyStore!),
      // B: on A's port (the lockfile's URLs), a fresh store, an upstream nobody listens on (index TTL 0, so it asks it); running before the import.
      deadUpstream().then((upstream) => startLarder({ dataDir: storeB!, port: larderA.port, env: deadUpstreamEnv('LARDER_NPM_UPSTREAM', upstream) })),
    ])
    servers.push(imported)
    // The tampered bundle is refused whole: the store stays empty.
    expect(refused.code, describeCli(refused)).toBe(1)
    expect(refused.stderr).toMatch(new RegExp(`blobs/sha256/${sha256Hex(graph.left.tarball)} hashes to [0-9a-f]{64}`))
    expect(refused.stderr).toContain('is refused')
    expect(await storeFiles(storeC!)).toEqual({ entries: [], blobs: [] })
    expect(await filesUnder(storeC!), 'nothing at all is left in C').toEqual([])
    // Export from a store that holds nothing refuses and writes no file.
    expect(notHeld.code, describeCli(notHeld)).toBe(1)
    expect(notHeld.stderr).toMatch(/export refused: .*run larder prefetch first/)
    expect(await readdir(emptyOut!)).toEqual([])

    // Before the import B cannot serve e2e-left (and its entry cache remembers it absent); soon after it can.
    const leftUrl = `${imported.npmRegistry}e2e-left/-/${graph.left.filename}`
    expect((await get(leftUrl)).status, imported.output()).toBeGreaterThanOrEqual(500)
    await importBundle(bundle, storeB!, extracted.manifest)
    await awaitServed(leftUrl, graph.left.tarball)
    const asked = imported.requests().length
    fixture.resetHits()
    await removeNodeModules(project)
    await clients.freshCaches()
    const ci = await clients.npm(['ci'], { cwd: project })
    expect(ci.code, describeRun(ci) + imported.output()).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
    const tarballs = imported
      .requests()
      .slice(asked)
      .filter((r) => r.path.endsWith('.tgz'))
    expect(tarballs).toHaveLength(4)
    expect(
      tarballs.every((r) => r.status === 200 && r.cache === 'HIT'),
      JSON.stringify(tarballs),
    ).toBe(true)
    // A packument past its TTL, the upstream dead: B serves its stored copy.
    expect(await get(`${imported.npmRegistry}e2e-left`)).toMatchObject({ status: 200, cache: 'STALE' })
    expect(fixture.requests).toEqual([])
    await imported.stop()
  })

  it('a lockfile integrity that does not match the upstream bytes fails prefetch, naming the package', async () => {
    const lock = JSON.parse(await readFile(lockfile, 'utf8'))
    const wrong = `sha512-${createHash('sha512').update('not the tarball').digest('base64')}`
    lock.packages['node_modules/e2e-left'].integrity = wrong
    const tampered = join(await dir('tampered'), 'package-lock.json')
    await writeFile(tampered, JSON.stringify(lock, null, 2))
    const prefetch = await larderCli(['prefetch', tampered], await dir('store-tampered'), { LARDER_NPM_UPSTREAM: fixture.url })
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(
      /not held \(1\):\n {2}npm e2e-left@1\.0\.0 .*\n {4}\/npm\/e2e-left\/-\/e2e-left-1\.0\.0\.tgz: the bytes do not match the lockfile/,
    )
    expect(prefetch.stdout).toMatch(/1 of 4 packages are not held and verified/)
  })

  it('verify after one blob is deleted from the store fails, naming that package', async () => {
    const sha256 = createHash('sha256').update(graph.right110.tarball).digest('hex')
    await rm(join(prefetched, 'store/blobs/sha256', sha256.slice(0, 2), sha256))
    const verify = await larderCli(['verify', lockfile], prefetched)
    expect(verify.code, describeCli(verify)).toBe(1)
    expect(verify.stdout).toMatch(/not held \(1\):\n {2}npm e2e-right@1\.1\.0 /)
    expect(verify.stdout).toMatch(/1 of 4 packages are not held and verified/)
  })
})
