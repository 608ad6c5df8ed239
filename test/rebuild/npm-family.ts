/** What the npm, pnpm and yarn rebuild tests share: the npm graph behind a registry fixture and Larder A, one client sandbox, and the steps of the guarantee. */
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import { startNpmRegistryFixture, type NpmRegistryFixture, type RunResult } from '@larder/testkit'
import { createClientSandbox, describeRun, removeNodeModules, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { EXPECTED_GRAPH, installedGraph, packNpmGraph, writeProject, type NpmGraph } from '../support/npm-graph.js'
import { makeWorkDir, type WorkDir } from '../support/work-dir.js'
import { exportAndCheck, importWhileServing, sha256Hex, type BundleManifest } from './bundle-steps.js'
import { describeCli, larderCli, NO_UPSTREAM, parseReport } from './larder-cli.js'
import { expectAllAnswered, get, startDeadUpstreamLarder, startOfflineLarder } from './store-larders.js'

const UPSTREAM_VAR = 'LARDER_NPM_UPSTREAM'

/** An integrity no tarball of the graph has, for the lockfile a test tampers with. */
export const WRONG_INTEGRITY = `sha512-${createHash('sha512').update('not the tarball').digest('base64')}`
/** What prefetch prints when e2e-left's bytes do not match the integrity its lockfile names. */
export const LEFT_MISMATCH = /not held \(1\):\n {2}npm e2e-left@1\.0\.0 .*\n {4}\/npm\/e2e-left\/-\/e2e-left-1\.0\.0\.tgz: the bytes do not match the lockfile/

/** A project of the graph a client locked through Larder A, and the store (A') `larder prefetch` fills from its lockfile. */
export interface LockedProject {
  name: string
  project: string
  lockfile: string
  prefetched: string
}

/** A real client install in the project; `registry` is the Larder it should ask (on A's port, so A's URL too). */
export type Install = (registry: string) => Promise<RunResult>

/** The export of a project's lockfile from its prefetched store, checked by the system's tar and sha256sum. */
export interface GraphBundle {
  bundle: string
  manifest: BundleManifest
}

export interface NpmFamily {
  readonly graph: NpmGraph
  readonly fixture: NpmRegistryFixture
  readonly larderA: LarderServer
  readonly clients: ClientSandbox
  readonly work: WorkDir
  /** The graph's package.json in `name`, `install` run there (through A); its lockfile is `lockfileName`. */
  lock(name: string, lockfileName: string, install: (cwd: string) => Promise<RunResult>): Promise<LockedProject>
  /** `larder prefetch` into the fresh store, each tarball fetched from upstream once; then `larder verify --json` passes with no upstream. */
  prefetchAndVerify(locked: LockedProject, verified: string[]): Promise<void>
  /** `larder prefetch` of `text` as `lockfileName` into a fresh store: exit 1 with one of the 4 not held, and what it printed. */
  prefetchFails(name: string, lockfileName: string, text: string): Promise<string>
  /** `install` with empty caches from a Larder with LARDER_OFFLINE=1 on the prefetched store, on A's port (A is stopped): the graph, every tarball OFFLINE. */
  installOffline(locked: LockedProject, install: Install): Promise<void>
  /** `larder export` of the lockfile from its prefetched store: the bundle names every package of the graph, its tarball a blob. */
  exportGraph(locked: LockedProject): Promise<GraphBundle>
  /** B: a fresh store, an upstream nobody listens on, on A's port (A is stopped), running before the import. */
  startB(locked: LockedProject): Promise<LarderServer>
  /** `larder import` while B runs, then `install` with empty caches from B: the graph, every tarball a HIT, packuments STALE, upstream never asked. */
  installFromImported(locked: LockedProject, exported: GraphBundle, b: LarderServer, install: Install): Promise<void>
  /** exportGraph, startB and installFromImported in turn. */
  rebuildFromImport(locked: LockedProject, install: Install): Promise<void>
  stop(): Promise<void>
}

export async function startNpmFamily(client: string): Promise<NpmFamily> {
  // What is started, to stop in reverse (servers a step starts come last, so they stop first), also when a later start fails.
  const started: { stop(): Promise<unknown> }[] = []
  const track = <T extends { stop(): Promise<unknown> }>(it: T) => {
    started.push(it)
    return it
  }
  const stop = async () => {
    for (const it of started.splice(0).reverse()) await it.stop()
  }
  let graph: NpmGraph, fixture: NpmRegistryFixture, larderA: LarderServer, clients: ClientSandbox, work: WorkDir
  try {
    graph = await packNpmGraph()
    fixture = track(await startNpmRegistryFixture({ packages: graph.all }))
    larderA = track(await startLarder({ env: { [UPSTREAM_VAR]: fixture.url } }))
    clients = await createClientSandbox({ registry: larderA.npmRegistry })
    track({ stop: clients.cleanup })
    work = await makeWorkDir(`larder-e2e-rebuild-${client}-`)
    track({ stop: work.cleanup })
  } catch (error) {
    await stop()
    throw error
  }

  /** Every tarball of the graph from `server`, each answered as `cache`, since request `from` in its log. */
  const expectTarballs = async (server: LarderServer, cache: string, from = 0) => {
    const tarballs = (await server.requests()).slice(from).filter((r) => r.path.endsWith('.tgz'))
    expect(tarballs).toHaveLength(4)
    expectAllAnswered(tarballs, cache)
  }
  /** Runs `install` as the client would on a fresh machine: no node_modules, empty caches. */
  const installFresh = async (locked: LockedProject, server: LarderServer, install: Install) => {
    await removeNodeModules(locked.project)
    await clients.freshCaches()
    const result = await install(server.npmRegistry)
    expect(result.code, describeRun(result) + server.output()).toBe(0)
    expect(await installedGraph(locked.project)).toEqual(EXPECTED_GRAPH)
  }

  const family: NpmFamily = {
    graph,
    fixture,
    larderA,
    clients,
    work,
    lock: async (name, lockfileName, install) => {
      const project = await writeProject(join(work.path, name))
      const result = await install(project)
      if (result.code !== 0) throw new Error(describeRun(result))
      return { name, project, lockfile: join(project, lockfileName), prefetched: await work.dir(`store-${name}`) }
    },
    prefetchAndVerify: async (locked, verified) => {
      fixture.resetHits()
      const prefetch = await larderCli(['prefetch', locked.lockfile], locked.prefetched, { [UPSTREAM_VAR]: fixture.url })
      expect(prefetch.code, describeCli(prefetch)).toBe(0)
      expect(prefetch.stdout).toMatch(/all 4 packages held and verified/)
      for (const pkg of graph.all) expect(fixture.hitCount(`/${pkg.name}/-/${pkg.filename}`), pkg.filename).toBe(1)
      const verify = await larderCli(['verify', '--json', locked.lockfile], locked.prefetched, { [UPSTREAM_VAR]: NO_UPSTREAM })
      expect(verify.code, describeCli(verify)).toBe(0)
      const report = parseReport(verify)
      expect(report.totals).toMatchObject({ packages: 4, held: 4, failed: 0, files: 4, documents: 3 })
      for (const pkg of report.lockfiles[0]!.packages) expect(pkg.files[0]).toMatchObject({ cache: 'OFFLINE', verified })
    },
    prefetchFails: async (name, lockfileName, text) => {
      const tampered = join(await work.dir(name), lockfileName)
      await writeFile(tampered, text)
      const prefetch = await larderCli(['prefetch', tampered], await work.dir(`store-${name}`), { [UPSTREAM_VAR]: fixture.url })
      expect(prefetch.code, describeCli(prefetch)).toBe(1)
      expect(prefetch.stdout).toMatch(/1 of 4 packages are not held and verified/)
      return prefetch.stdout
    },
    installOffline: async (locked, install) => {
      const offline = track(await startOfflineLarder(locked.prefetched, UPSTREAM_VAR, { replacing: larderA }))
      await installFresh(locked, offline, install)
      await expectTarballs(offline, 'OFFLINE')
      await offline.stop()
    },
    exportGraph: async (locked) => {
      const out = join(await work.dir(`bundle-${locked.name}`), 'bundle.tar')
      const into = await work.dir(`bundle-extracted-${locked.name}`)
      const names = graph.all.map((pkg) => ({ purl: `pkg:npm/${pkg.name.replace('@', '%40')}@${pkg.version}`, sha256: [sha256Hex(pkg.tarball)] }))
      const { manifest } = await exportAndCheck([locked.lockfile], locked.prefetched, { out, into }, names, { zstd: false })
      return { bundle: out, manifest }
    },
    startB: async (locked) => track(await startDeadUpstreamLarder(await work.dir(`store-imported-${locked.name}`), UPSTREAM_VAR, { replacing: larderA })),
    installFromImported: async (locked, { bundle, manifest }, b, install) => {
      const asked = await importWhileServing(b, bundle, manifest, `${b.npmRegistry}e2e-left/-/${graph.left.filename}`, graph.left.tarball)
      fixture.resetHits()
      await installFresh(locked, b, install)
      await expectTarballs(b, 'HIT', asked)
      // A packument past its TTL, the upstream dead: B serves its stored copy.
      expect(await get(`${b.npmRegistry}e2e-left`)).toMatchObject({ status: 200, cache: 'STALE' })
      expect(fixture.requests).toEqual([])
      await b.stop()
    },
    rebuildFromImport: async (locked, install) => {
      const exported = await family.exportGraph(locked)
      await family.installFromImported(locked, exported, await family.startB(locked), install)
    },
    stop,
  }
  return family
}
