/** npm, pnpm and yarn install a dependency graph through Larder: right files, Larder URLs in lockfiles, upstream fetched once. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { createClientSandbox, describeRun, removeNodeModules, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, isTarballPath, packNpmGraph, writeProject, type NpmGraph } from '../support/npm-graph.js'

let graph: NpmGraph
let fixture: NpmRegistryFixture
let work: TempDir
const running: LarderServer[] = []
const sandboxes: ClientSandbox[] = []

beforeAll(async () => {
  graph = await packNpmGraph()
  fixture = await startNpmRegistryFixture({ packages: graph.all })
  work = await makeTempDir('larder-e2e-clients-')
})

afterAll(async () => {
  await Promise.all(running.map((larder) => larder.stop()))
  await Promise.all(sandboxes.map((sandbox) => sandbox.cleanup()))
  await fixture?.stop()
  await work?.cleanup()
})

/** A fresh Larder (empty store) and client sandbox, so each client's install reaches the fixture. */
async function freshSetup(): Promise<{ larder: LarderServer; clients: ClientSandbox }> {
  const larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url } })
  running.push(larder)
  const clients = await createClientSandbox({ registry: larder.npmRegistry })
  sandboxes.push(clients)
  fixture.resetHits()
  return { larder, clients }
}

const PACKUMENT_PATHS = ['/@e2e%2futil', '/e2e-left', '/e2e-right']

function expectFixtureServedGraph(): void {
  const packuments = fixture.requests.filter((r) => !isTarballPath(r.path)).map((r) => r.path.toLowerCase())
  expect(new Set(packuments)).toEqual(new Set(PACKUMENT_PATHS))
  const tarballs = fixture.requests.filter((r) => isTarballPath(r.path)).map((r) => r.path)
  // Each tarball once: Larder stores it and never asks again.
  expect(tarballs.sort()).toEqual(graph.all.map((p) => `/${p.name}/-/${p.filename}`).sort())
}

async function expectLarderAnsweredTarballs(larder: LarderServer, since: number): Promise<void> {
  const answered = (await larder.requests()).slice(since).filter((r) => isTarballPath(r.path) && r.status === 200)
  expect(new Set(answered.map((r) => r.path))).toEqual(new Set(graph.all.map((p) => `/npm/${p.name}/-/${p.filename}`)))
}

describe('npm through Larder', () => {
  let larder: LarderServer
  let clients: ClientSandbox
  let project: string

  it('npm install resolves the graph and records Larder tarball URLs and the upstream integrity in the lockfile', async () => {
    ;({ larder, clients } = await freshSetup())
    project = await writeProject(join(work.path, 'npm-app'))
    const result = await clients.npm(['install'], { cwd: project })
    expect(result.code, describeRun(result)).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
    expectFixtureServedGraph()
    await expectLarderAnsweredTarballs(larder, 0)

    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8'))
    const entries = Object.entries(lock.packages as Record<string, { resolved?: string; integrity?: string; version?: string }>)
      .filter(([path]) => path !== '')
      .map(([path, entry]) => [path, entry.resolved, entry.integrity])
    const expected = {
      'node_modules/@e2e/util': graph.util,
      'node_modules/e2e-left': graph.left,
      'node_modules/e2e-left/node_modules/e2e-right': graph.right110,
      'node_modules/e2e-right': graph.right100,
    }
    expect(entries.sort()).toEqual(
      Object.entries(expected)
        .map(([path, pkg]) => [path, `${larder.npmRegistry}${pkg.name}/-/${pkg.filename}`, pkg.integrity])
        .sort(),
    )
  })

  it('npm ci from that lockfile with an empty cache installs the same files, through Larder only', async () => {
    await removeNodeModules(project)
    await clients.freshCaches()
    fixture.resetHits()
    const since = (await larder.requests()).length
    const result = await clients.npm(['ci'], { cwd: project })
    expect(result.code, describeRun(result)).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
    await expectLarderAnsweredTarballs(larder, since)
    const tarballResults = (await larder.requests()).slice(since).filter((r) => isTarballPath(r.path))
    expect(
      tarballResults.every((r) => r.cache === 'HIT'),
      JSON.stringify(tarballResults),
    ).toBe(true)
    expect(fixture.hitCount(isTarballPath)).toBe(0)
  })
})

describe('pnpm through Larder', () => {
  it('pnpm install resolves the graph from abbreviated packuments and Larder tarballs', async () => {
    const { larder, clients } = await freshSetup()
    const project = await writeProject(join(work.path, 'pnpm-app'))
    const result = await clients.pnpm(['install'], { cwd: project })
    expect(result.code, describeRun(result)).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
    expectFixtureServedGraph()
    await expectLarderAnsweredTarballs(larder, 0)
    const lock = await readFile(join(project, 'pnpm-lock.yaml'), 'utf8')
    for (const pkg of graph.all) expect(lock).toContain(pkg.integrity)
  })
})

describe('yarn classic through Larder', () => {
  it('yarn install resolves the graph and writes Larder URLs into yarn.lock', async () => {
    const { larder, clients } = await freshSetup()
    const project = await writeProject(join(work.path, 'yarn-app'))
    const result = await clients.yarn(['install'], { cwd: project })
    expect(result.code, describeRun(result)).toBe(0)
    expect(await installedGraph(project)).toEqual(EXPECTED_GRAPH)
    expectFixtureServedGraph()
    await expectLarderAnsweredTarballs(larder, 0)
    const lock = await readFile(join(project, 'yarn.lock'), 'utf8')
    const resolved = [...lock.matchAll(/resolved "([^"#]+)#([0-9a-f]+)"/g)].map((m) => [m[1], m[2]])
    expect(resolved.sort()).toEqual(graph.all.map((p) => [`${larder.npmRegistry}${p.name}/-/${p.filename}`, p.shasum]).sort())
    for (const pkg of graph.all) expect(lock).toContain(`integrity ${pkg.integrity}`)
  })
})
