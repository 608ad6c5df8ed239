/**
 * The rebuild guarantee's speed: `larder prefetch` of a 192-package npm lockfile against `npm ci` of the same
 * lockfile, each through its own cold Larder over one registry fixture, in the same run (target: prefetch in at
 * most half the time); then `larder export` and `larder import` of that store in MB/s against `tar` of the same files.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTempDir, packNpmPackage, prepareIsolatedNpmEnv, run, startNpmRegistryFixture } from '@larder/testkit'
import { startLarder } from './lib/processes.mjs'
import { exitedZero, timed } from './lib/timing.mjs'

const PACKAGES = 192
const CLI = fileURLToPath(new URL('../apps/server/dist/larder-cli.js', import.meta.url))
const NPM_TIMEOUT_MS = 600_000

export async function rebuildGuarantee() {
  const work = await makeTempDir('larder-bench-rebuild-')
  const servers = []
  try {
    const packages = await cachedGraph(work.path)
    const registry = await startNpmRegistryFixture({ packages })
    servers.push(registry)
    const project = join(work.path, 'project')
    await mkdir(project)
    const roots = Object.fromEntries(packages.slice(0, 12).map((p) => [p.name, `^${p.version}`]))
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'bench-project', version: '1.0.0', dependencies: roots }))
    // The lockfile, written once through a Larder that is then thrown away.
    const writer = await startLarder({ dataDir: join(work.path, 'writer'), npmUpstream: registry.url })
    servers.push(writer)
    await npm(['install', '--ignore-scripts'], project, writer.url, join(work.path, 'npm-writer'))
    const lockfile = join(project, 'package-lock.json')
    // Gone before npm ci runs: its resolved URLs point here, and a warm writer must not answer the cold install.
    servers.splice(servers.indexOf(writer), 1)
    await writer.stop()

    const npmLarder = await startLarder({ dataDir: join(work.path, 'npm-ci'), npmUpstream: registry.url })
    servers.push(npmLarder)
    await rm(join(project, 'node_modules'), { recursive: true, force: true })
    const npmCiMs = await timed(() => npm(['ci', '--ignore-scripts'], project, npmLarder.url, join(work.path, 'npm-ci-cache')))

    const prefetchLarder = await startLarder({ dataDir: join(work.path, 'prefetch'), npmUpstream: registry.url })
    servers.push(prefetchLarder)
    const prefetchMs = await timed(() => larder(['prefetch', '--server', prefetchLarder.url, lockfile], join(work.path, 'unused')))
    const inProcessDir = join(work.path, 'in-process')
    const inProcessMs = await timed(() => larder(['prefetch', lockfile], inProcessDir, { LARDER_NPM_UPSTREAM: registry.url }))

    const bundle = join(work.path, 'bundle.tar')
    const exportMs = await timed(() => larder(['export', '--out', bundle, lockfile], inProcessDir))
    const bundleBytes = (await stat(bundle)).size
    const blobs = join(inProcessDir, 'store', 'blobs')
    const tarFile = join(work.path, 'reference.tar')
    const tarMs = await timed(() => run('tar', ['-cf', tarFile, '-C', blobs, '.'], { timeoutMs: NPM_TIMEOUT_MS }).then(exitedZero('tar -c')))
    const importMs = await timed(() => larder(['import', bundle], join(work.path, 'imported')))
    const untar = join(work.path, 'untarred')
    await mkdir(untar)
    const untarMs = await timed(() => run('tar', ['-xf', tarFile, '-C', untar], { timeoutMs: NPM_TIMEOUT_MS }).then(exitedZero('tar -x')))
    const mb = bundleBytes / 1024 ** 2
    return {
      packages: (await readdir(join(project, 'node_modules'))).filter((n) => !n.startsWith('.')).length,
      bundleMb: mb,
      npmCiMs,
      prefetchMs,
      inProcessMs,
      ratio: prefetchMs / npmCiMs,
      inProcessRatio: inProcessMs / npmCiMs,
      export: { mbPerSecond: mb / (exportMs / 1000), tarMbPerSecond: mb / (tarMs / 1000), ratio: tarMs / exportMs },
      import: { mbPerSecond: mb / (importMs / 1000), tarMbPerSecond: mb / (untarMs / 1000), ratio: untarMs / importMs },
    }
  } finally {
    for (const server of servers.reverse()) await server.stop()
    await work.cleanup()
  }
}

/** Packing 192 packages with the real npm takes minutes: a run keeps them in bench/.out for the next. */
const GRAPH_CACHE = fileURLToPath(new URL('./.out/rebuild-graph.json', import.meta.url))

export async function cachedGraph(dir) {
  try {
    const cached = JSON.parse(await readFile(GRAPH_CACHE, 'utf8'))
    if (cached.length === PACKAGES) return cached.map((p) => ({ ...p, tarball: Buffer.from(p.tarball, 'base64') }))
  } catch {
    // No cache yet (or an old one): pack again.
  }
  const packed = await packGraph(dir)
  await mkdir(dirname(GRAPH_CACHE), { recursive: true })
  await writeFile(GRAPH_CACHE, JSON.stringify(packed.map((p) => ({ ...p, tarball: p.tarball.toString('base64') }))))
  return packed
}

/** A tree of 192 packages (each depends on the next two), with files of 20 to 300 kB so tarballs weigh what real ones do. */
async function packGraph(dir) {
  const name = (i) => `bench-pkg-${String(i).padStart(3, '0')}`
  const specs = Array.from({ length: PACKAGES }, (_, i) => ({
    name: name(i),
    version: '1.0.0',
    dependencies: Object.fromEntries([2 * i + 1, 2 * i + 2].filter((j) => j < PACKAGES).map((j) => [name(j), '^1.0.0'])),
    files: { 'index.js': `module.exports = ${i}\n`, 'data.txt': randomBytes(15_000 + ((i * 7919) % 210_000)).toString('base64') },
  }))
  await mkdir(dir, { recursive: true })
  const packed = []
  for (let at = 0; at < specs.length; at += 8) packed.push(...(await Promise.all(specs.slice(at, at + 8).map((spec) => packNpmPackage(spec)))))
  return packed
}

async function npm(args, cwd, larderUrl, home) {
  await mkdir(home, { recursive: true })
  // The lockfile's resolved URLs name the writer's port: npm fetches them from this Larder only when told to
  // put the registry's host in place of any (by default it does that for registry.npmjs.org alone).
  const env = await prepareIsolatedNpmEnv(home, { npm_config_registry: `${larderUrl}/npm/`, npm_config_replace_registry_host: 'always' })
  exitedZero(`npm ${args[0]}`)(await run('npm', args, { cwd, env, timeoutMs: NPM_TIMEOUT_MS }))
}

async function larder(args, dataDir, env = {}) {
  exitedZero(`larder ${args[0]}`)(await run(process.execPath, [CLI, ...args], { env: { LARDER_DATA_DIR: dataDir, ...env }, timeoutMs: NPM_TIMEOUT_MS }))
}
