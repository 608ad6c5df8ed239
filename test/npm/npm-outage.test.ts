/** Once a graph has passed through Larder, installs keep working while the upstream refuses, fails, hangs, or Larder is offline. */
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer, type RequestLog } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, isTarballPath, packNpmGraph, writeProject } from '../support/npm-graph.js'

// TTL 0: every packument request revalidates, so each phase asks the (failing) upstream without waiting for a clock.
const LARDER_ENV = { LARDER_INDEX_TTL_SECONDS: '0' }
/** How long one install may take while the upstream hangs; npm's own fetch timeout is 5 minutes. */
const HANG_INSTALL_BUDGET_MS = 30_000

let fixture: NpmRegistryFixture
let work: TempDir
let dataDir: TempDir
let clients: ClientSandbox
let larder: LarderServer | undefined
let port = 0
/** The lockfile the healthy npm install wrote; `npm ci` runs from a copy of it in every phase. */
let warmLockfile = ''

/** A new Larder process on the shared store and port: circuit-breaker state from an earlier phase does not carry over. */
async function restartLarder(env: Record<string, string> = {}): Promise<LarderServer> {
  await larder?.stop()
  larder = await startLarder({ dataDir: dataDir.path, port, env: { LARDER_NPM_UPSTREAM: fixture.url, ...LARDER_ENV, ...env } })
  port = larder.port
  await clients.setRegistry(larder.npmRegistry)
  return larder
}

interface PhaseOptions {
  /** Per client run; a run that outlives it fails the test. */
  timeoutMs?: number
}

/** npm install, npm ci (from the warm lockfile), pnpm install and yarn install into new projects, with empty client caches. */
async function installEverything(phase: string, options: PhaseOptions = {}): Promise<void> {
  await clients.freshCaches()
  const dir = join(work.path, phase)
  const runOptions = (cwd: string) => ({ cwd, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) })

  const npmProject = await writeProject(join(dir, 'npm'))
  const npmInstall = await clients.npm(['install'], runOptions(npmProject))
  expect(npmInstall.code, `npm install (${phase}): ${describeRun(npmInstall)}`).toBe(0)
  expect(await installedGraph(npmProject)).toEqual(EXPECTED_GRAPH)
  if (phase === 'healthy') warmLockfile = join(npmProject, 'package-lock.json')

  const ciProject = await writeProject(join(dir, 'npm-ci'))
  await copyFile(warmLockfile, join(ciProject, 'package-lock.json'))
  const npmCi = await clients.npm(['ci'], runOptions(ciProject))
  expect(npmCi.code, `npm ci (${phase}): ${describeRun(npmCi)}`).toBe(0)
  expect(await installedGraph(ciProject)).toEqual(EXPECTED_GRAPH)

  const pnpmProject = await writeProject(join(dir, 'pnpm'))
  const pnpmInstall = await clients.pnpm(['install'], runOptions(pnpmProject))
  expect(pnpmInstall.code, `pnpm install (${phase}): ${describeRun(pnpmInstall)}`).toBe(0)
  expect(await installedGraph(pnpmProject)).toEqual(EXPECTED_GRAPH)

  const yarnProject = await writeProject(join(dir, 'yarn'))
  const yarnInstall = await clients.yarn(['install'], runOptions(yarnProject))
  expect(yarnInstall.code, `yarn install (${phase}): ${describeRun(yarnInstall)}`).toBe(0)
  expect(await installedGraph(yarnProject)).toEqual(EXPECTED_GRAPH)
}

/** What Larder answered during a phase, as "cache path" lines, so a failing assertion shows them all. */
function answered(requests: RequestLog[]) {
  const packuments = requests.filter((r) => !isTarballPath(r.path))
  const tarballs = requests.filter((r) => isTarballPath(r.path))
  return { packuments, tarballs }
}

async function expectServedFromStore(server: LarderServer, packumentResult: string, tarballResult: string): Promise<void> {
  const { packuments, tarballs } = answered(await server.requests())
  expect(packuments.length, server.output()).toBeGreaterThan(0)
  expect(tarballs.length, server.output()).toBeGreaterThan(0)
  const show = (lines: RequestLog[]) => lines.map((r) => `${r.status} ${r.cache} ${r.method} ${r.path}`)
  expect(show(packuments)).toEqual(show(packuments.map((r) => ({ ...r, status: 200, cache: packumentResult }))))
  expect(show(tarballs)).toEqual(show(tarballs.map((r) => ({ ...r, status: 200, cache: tarballResult }))))
}

beforeAll(async () => {
  const graph = await packNpmGraph()
  fixture = await startNpmRegistryFixture({ packages: graph.all })
  work = await makeTempDir('larder-e2e-outage-')
  dataDir = await makeTempDir('larder-e2e-outage-data-')
  clients = await createClientSandbox({ registry: 'http://127.0.0.1:1/npm/' })
  await restartLarder()
  await installEverything('healthy')
  expect(fixture.hitCount(isTarballPath)).toBe(graph.all.length)
})

afterAll(async () => {
  await larder?.stop()
  await fixture?.stop()
  await clients?.cleanup()
  await dataDir?.cleanup()
  await work?.cleanup()
})

describe('npm installs while the upstream is down', () => {
  it('succeed with the upstream refusing connections: packuments STALE, tarballs HIT', async () => {
    const server = await restartLarder()
    await fixture.setFault('refuse')
    fixture.resetHits()
    try {
      await installEverything('refused')
    } finally {
      await fixture.setFault(null)
    }
    await expectServedFromStore(server, 'STALE', 'HIT')
    expect(fixture.totalHits()).toBe(0)
  })

  it('succeed with the upstream answering 500: packuments STALE, tarballs HIT, no tarball asked of upstream', async () => {
    const server = await restartLarder()
    await fixture.setFault('status500')
    fixture.resetHits()
    try {
      await installEverything('status500')
    } finally {
      await fixture.setFault(null)
    }
    await expectServedFromStore(server, 'STALE', 'HIT')
    // Larder did ask (and was refused with 500) for packuments only.
    expect(fixture.requests.length).toBeGreaterThan(0)
    expect(fixture.requests.filter((r) => r.fault !== 'status500' || isTarballPath(r.path))).toEqual([])
  })

  it('succeed from a fresh Larder process started with LARDER_OFFLINE=1 on the same data dir, asking upstream nothing', async () => {
    const server = await restartLarder({ LARDER_OFFLINE: '1' })
    fixture.resetHits()
    await installEverything('offline')
    await expectServedFromStore(server, 'OFFLINE', 'OFFLINE')
    expect(fixture.totalHits()).toBe(0)
  })

  // BUG (reported): Larder waits headers timeout (30 s) x 3 attempts (~92 s) per packument before it
  // serves the stale copy, and no setting shortens it. Measured with the defaults: npm install 278 s,
  // then pnpm 93 s; only once 5 failures opened the circuit breaker did yarn take 0.5 s.
  // LARDER_UPSTREAM_TIMEOUT_SECONDS is the knob this test asks for; it is ignored until Larder reads it.
  it('succeed within 30 s each with the upstream hanging', async () => {
    const server = await restartLarder({ LARDER_UPSTREAM_TIMEOUT_SECONDS: '2' })
    await fixture.setFault('hang')
    fixture.resetHits()
    try {
      await installEverything('hanging', { timeoutMs: HANG_INSTALL_BUDGET_MS }).catch((error: Error) => {
        throw new Error(`an install stalled while the upstream hangs (Larder should serve its stale copy quickly): ${error.message}`, {
          cause: error,
        })
      })
    } finally {
      await fixture.setFault(null)
    }
    await expectServedFromStore(server, 'STALE', 'HIT')
    expect(fixture.requests.filter((r) => isTarballPath(r.path))).toEqual([])
  })
})
