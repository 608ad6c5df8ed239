/**
 * The rebuild guarantee for pnpm: the real pnpm writes pnpm-lock.yaml through Larder A; `larder
 * prefetch` fills a fresh store, `larder verify` passes, and the real `pnpm install --frozen-lockfile`
 * with an empty store installs from a Larder on that store with LARDER_OFFLINE=1.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, removeNodeModules, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, packNpmGraph, writeProject, type NpmGraph } from '../support/npm-graph.js'
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
  work = await makeTempDir('larder-e2e-rebuild-pnpm-')
  project = await writeProject(join(work.path, 'app'))
  const install = await clients.pnpm(['install'], { cwd: project })
  if (install.code !== 0) throw new Error(describeRun(install))
  lockfile = join(project, 'pnpm-lock.yaml')
  prefetched = await dir('store-prefetched')
})

afterAll(async () => {
  for (const server of servers) await server.stop()
  await larderA?.stop()
  await fixture?.stop()
  await clients?.cleanup()
  await work?.cleanup()
})

describe('larder prefetch and verify of a pnpm-lock.yaml pnpm wrote', () => {
  it('prefetch in this process holds every package in a fresh store; verify then passes', async () => {
    const text = await readFile(lockfile, 'utf8')
    expect(text).toMatch(/^lockfileVersion: '9\.0'$/m)
    expect(text).toContain(`e2e-left@1.0.0:\n    resolution: {integrity: ${graph.left.integrity}}`)
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

  it('the real pnpm install --frozen-lockfile with an empty store installs from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    // On A's port, where pnpm's registry setting points; A is gone.
    const port = larderA.port
    await larderA.stop()
    const offline = await startLarder({ dataDir: prefetched, port, env: { LARDER_OFFLINE: '1', LARDER_NPM_UPSTREAM: 'http://127.0.0.1:9' } })
    servers.push(offline)
    await removeNodeModules(project)
    await clients.freshCaches()
    const install = await clients.pnpm(['install', '--frozen-lockfile'], { cwd: project })
    expect(install.code, describeRun(install) + offline.output()).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
    const tarballs = offline.requests().filter((r) => r.path.endsWith('.tgz'))
    expect(tarballs).toHaveLength(4)
    expect(tarballs.every((r) => r.status === 200 && r.cache === 'OFFLINE')).toBe(true)
    await offline.stop()
  })

  it('a lockfile integrity that does not match the upstream bytes fails prefetch, naming the package', async () => {
    const wrong = `sha512-${createHash('sha512').update('not the tarball').digest('base64')}`
    const text = (await readFile(lockfile, 'utf8')).replace(graph.left.integrity, wrong)
    expect(text).toContain(wrong)
    const tampered = join(await dir('tampered'), 'pnpm-lock.yaml')
    await writeFile(tampered, text)
    const prefetch = await larderCli(['prefetch', tampered], await dir('store-tampered'), { LARDER_NPM_UPSTREAM: fixture.url })
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(
      /not held \(1\):\n {2}npm e2e-left@1\.0\.0 .*\n {4}\/npm\/e2e-left\/-\/e2e-left-1\.0\.0\.tgz: the bytes do not match the lockfile/,
    )
    expect(prefetch.stdout).toMatch(/1 of 4 packages are not held and verified/)
  })
})
