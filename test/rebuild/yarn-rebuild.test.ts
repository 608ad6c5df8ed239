/**
 * The rebuild guarantee for yarn: the real yarn classic and yarn berry write yarn.lock through Larder A;
 * `larder prefetch` fills a fresh store, `larder verify` passes, and the real `yarn install
 * --frozen-lockfile` (classic) and `yarn install --immutable` (berry) with empty caches install from a
 * Larder on that store with LARDER_OFFLINE=1.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, run, startNpmRegistryFixture, type NpmRegistryFixture, type RunResult, type TempDir } from '@larder/testkit'
import { createClientSandbox, DEFAULT_CLIENT_TIMEOUT_MS, describeRun, removeNodeModules, type ClientSandbox } from '../support/clients.js'
import { REPO_ROOT, startLarder, type LarderServer } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, packNpmGraph, writeProject, type NpmGraph } from '../support/npm-graph.js'
import { describeCli, larderCli, parseReport } from './larder-cli.js'

const BERRY_BIN = join(REPO_ROOT, 'node_modules/@yarnpkg/cli-dist/bin/yarn.js')

let graph: NpmGraph
let fixture: NpmRegistryFixture
let larderA: LarderServer
let clients: ClientSandbox
let work: TempDir
const projects = { classic: '', berry: '' }
const lockfiles = { classic: '', berry: '' }
/** A' : the stores `larder prefetch` fills in this process, one per lockfile. */
const prefetched = { classic: '', berry: '' }
const servers: LarderServer[] = []

const dir = async (name: string) => {
  const path = join(work.path, name)
  await mkdir(path, { recursive: true })
  return path
}

/**
 * yarn berry (4) in the sandbox's HOME, its settings in the project's .yarnrc.yml: the registry (plain
 * http allowed), versions published a moment ago not held back, and only the sandbox's yarn cache.
 */
async function berry(args: readonly string[], cwd: string, registry: string): Promise<RunResult> {
  const settings = {
    npmRegistryServer: registry,
    unsafeHttpWhitelist: ['127.0.0.1'],
    npmMinimalAgeGate: 0,
    enableTelemetry: false,
    enableGlobalCache: false,
    enableMirror: false,
    nodeLinker: 'node-modules',
    cacheFolder: join(clients.caches.yarn, 'berry'),
    globalFolder: join(clients.caches.yarn, 'berry-global'),
  }
  const rc = Object.entries(settings).map(([key, value]) => `${key}: ${JSON.stringify(value)}\n`)
  await writeFile(join(cwd, '.yarnrc.yml'), rc.join(''))
  const env = { HOME: clients.home, XDG_CONFIG_HOME: join(clients.home, '.config'), CI: undefined }
  return run(process.execPath, [BERRY_BIN, ...args], { cwd, env, timeoutMs: DEFAULT_CLIENT_TIMEOUT_MS })
}

beforeAll(async () => {
  graph = await packNpmGraph()
  fixture = await startNpmRegistryFixture({ packages: graph.all })
  larderA = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url } })
  clients = await createClientSandbox({ registry: larderA.npmRegistry })
  work = await makeTempDir('larder-e2e-rebuild-yarn-')
  projects.classic = await writeProject(join(work.path, 'classic'))
  projects.berry = await writeProject(join(work.path, 'berry'))
  // An empty yarn.lock marks berry's project root, so it looks no further up.
  await writeFile(join(projects.berry, 'yarn.lock'), '')
  const installs = [await clients.yarn(['install'], { cwd: projects.classic }), await berry(['install'], projects.berry, larderA.npmRegistry)]
  for (const install of installs) if (install.code !== 0) throw new Error(describeRun(install))
  lockfiles.classic = join(projects.classic, 'yarn.lock')
  lockfiles.berry = join(projects.berry, 'yarn.lock')
  prefetched.classic = await dir('store-classic')
  prefetched.berry = await dir('store-berry')
})

afterAll(async () => {
  for (const server of servers) await server.stop()
  await larderA?.stop()
  await fixture?.stop()
  await clients?.cleanup()
  await work?.cleanup()
})

/** `larder prefetch` into the fresh store, each tarball fetched from upstream once; then `larder verify --json` passes offline. */
async function prefetchAndVerify(flavour: 'classic' | 'berry', verified: string[]): Promise<void> {
  fixture.resetHits()
  const prefetch = await larderCli(['prefetch', lockfiles[flavour]], prefetched[flavour], { LARDER_NPM_UPSTREAM: fixture.url })
  expect(prefetch.code, describeCli(prefetch)).toBe(0)
  expect(prefetch.stdout).toMatch(/all 4 packages held and verified/)
  for (const pkg of graph.all) expect(fixture.hitCount(`/${pkg.name}/-/${pkg.filename}`), pkg.filename).toBe(1)
  const verify = await larderCli(['verify', '--json', lockfiles[flavour]], prefetched[flavour], { LARDER_NPM_UPSTREAM: 'http://127.0.0.1:9' })
  expect(verify.code, describeCli(verify)).toBe(0)
  const report = parseReport(verify)
  expect(report.totals).toMatchObject({ packages: 4, held: 4, failed: 0, files: 4, documents: 3 })
  for (const pkg of report.lockfiles[0]!.packages) expect(pkg.files[0]).toMatchObject({ cache: 'OFFLINE', verified })
}

/** Runs `install` with empty caches against a Larder on the prefetched store, offline, on A's port (where classic's URLs point). */
async function installOffline(flavour: 'classic' | 'berry', install: (registry: string) => Promise<RunResult>): Promise<void> {
  const offline = await startLarder({
    dataDir: prefetched[flavour],
    port: larderA.port,
    env: { LARDER_OFFLINE: '1', LARDER_NPM_UPSTREAM: 'http://127.0.0.1:9' },
  })
  servers.push(offline)
  await removeNodeModules(projects[flavour])
  await clients.freshCaches()
  const result = await install(offline.npmRegistry)
  expect(result.code, describeRun(result) + offline.output()).toBe(0)
  expect(await installedGraph(projects[flavour])).toEqual(EXPECTED_GRAPH)
  const tarballs = offline.requests().filter((r) => r.path.endsWith('.tgz'))
  expect(tarballs).toHaveLength(4)
  expect(tarballs.every((r) => r.status === 200 && r.cache === 'OFFLINE')).toBe(true)
  await offline.stop()
}

/** `larder prefetch` of `text` as a yarn.lock into a fresh store: exit 1, and its output. */
async function prefetchFails(name: string, text: string): Promise<string> {
  const tampered = join(await dir(name), 'yarn.lock')
  await writeFile(tampered, text)
  const prefetch = await larderCli(['prefetch', tampered], await dir(`store-${name}`), { LARDER_NPM_UPSTREAM: fixture.url })
  expect(prefetch.code, describeCli(prefetch)).toBe(1)
  expect(prefetch.stdout).toMatch(/1 of 4 packages are not held and verified/)
  return prefetch.stdout
}

describe('larder prefetch and verify of a yarn.lock yarn classic wrote', () => {
  it('prefetch in this process holds every package in a fresh store; verify then passes, on the sha512 and the sha1 yarn locked', async () => {
    const text = await readFile(lockfiles.classic, 'utf8')
    expect(text).toContain(`resolved "${larderA.npmRegistry}e2e-left/-/e2e-left-1.0.0.tgz#${graph.left.shasum}"`)
    await prefetchAndVerify('classic', ['sha512', 'sha1'])
  })

  it('a lockfile integrity that does not match the upstream bytes fails prefetch, naming the package', async () => {
    const wrong = `sha512-${createHash('sha512').update('not the tarball').digest('base64')}`
    const text = (await readFile(lockfiles.classic, 'utf8')).replace(graph.left.integrity, wrong)
    expect(text).toContain(wrong)
    expect(await prefetchFails('tampered-classic', text)).toMatch(
      /not held \(1\):\n {2}npm e2e-left@1\.0\.0 .*\n {4}\/npm\/e2e-left\/-\/e2e-left-1\.0\.0\.tgz: the bytes do not match the lockfile/,
    )
  })
})

describe('larder prefetch and verify of a yarn.lock yarn berry wrote', () => {
  it('prefetch in this process holds every package in a fresh store; verify then passes, on presence alone (berry locks no tarball digest)', async () => {
    const text = await readFile(lockfiles.berry, 'utf8')
    expect(text).toMatch(/^__metadata:$/m)
    expect(text).toContain('resolution: "e2e-left@npm:1.0.0"')
    await prefetchAndVerify('berry', [])
  })

  it('a resolution the registry does not have fails prefetch, naming the package', async () => {
    const text = (await readFile(lockfiles.berry, 'utf8')).replace('resolution: "e2e-left@npm:1.0.0"', 'resolution: "e2e-left@npm:1.0.9"')
    expect(await prefetchFails('missing-berry', text)).toMatch(/not held \(1\):\n {2}npm e2e-left@1\.0\.9 .*\n {4}\/npm\/e2e-left\/-\/e2e-left-1\.0\.9\.tgz: /)
  })
})

describe('installs from a Larder on the prefetched store with LARDER_OFFLINE=1', () => {
  it('the real yarn classic install --frozen-lockfile with an empty cache', async () => {
    // A is gone: the offline Larder takes its port, where the lockfile's resolved URLs point.
    await larderA.stop()
    await installOffline('classic', () => clients.yarn(['install', '--frozen-lockfile'], { cwd: projects.classic }))
  })

  it('the real yarn berry install --immutable with an empty cache', async () => {
    await installOffline('berry', (registry) => berry(['install', '--immutable'], projects.berry, registry))
  })
})
