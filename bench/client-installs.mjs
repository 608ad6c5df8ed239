/**
 * Real clients through warm mirrors (issue #18): `pnpm install --frozen-lockfile` of the 192-package graph through
 * Larder against Verdaccio 6 over the same registry fixture (target ≤ 0.8×; cold servers too, target ≤ 1×), and `npm ci`
 * through Larder against nginx serving the bytes Larder sent (target ≤ 1.05×). Every install starts with an empty client
 * store and cache; ABBA order, medians; nothing is pinned (the clients are the bottleneck). Larder logs at its production
 * info level to a file (Verdaccio at warn), from which the requests each install made are counted.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTempDir, prepareIsolatedNpmEnv, run, startNpmRegistryFixture, startProcess, waitFor } from '@larder/testkit'
import { fetchOnce } from './lib/load.mjs'
import { startNginx } from './lib/nginx.mjs'
import { HOST, READY_TIMEOUT_MS, freePort, startLarder } from './lib/processes.mjs'
import { cachedGraph } from './rebuild-guarantee.mjs'
import { exitedZero, median, timed } from './lib/timing.mjs'

export const CLIENT_INSTALLS_OPTIONS = { rounds: 7, coldRounds: 2 }
/** The pnpm the e2e tests drive (test/support/clients.ts). */
const PNPM = fileURLToPath(new URL('../node_modules/pnpm/bin/pnpm.cjs', import.meta.url))
const VERDACCIO_PREFIX = fileURLToPath(new URL('./.out/verdaccio', import.meta.url))
const VERDACCIO = join(VERDACCIO_PREFIX, 'node_modules/verdaccio/bin/verdaccio')
const CLIENT_TIMEOUT_MS = 600_000

export async function clientInstalls(options = CLIENT_INSTALLS_OPTIONS) {
  if (!existsSync(VERDACCIO))
    await checked('npm install verdaccio', run('npm', ['install', '--prefix', VERDACCIO_PREFIX, '--no-save', 'verdaccio@6'], { timeoutMs: CLIENT_TIMEOUT_MS }))
  const work = await makeTempDir('larder-bench-installs-')
  const stops = [() => work.cleanup()]
  const at = (...parts) => join(work.path, ...parts)
  let clients = 0
  const freshClient = () => at('clients', String(clients++))
  try {
    const packages = await cachedGraph(work.path)
    const registry = await startNpmRegistryFixture({ packages })
    stops.unshift(() => registry.stop())
    const roots = Object.fromEntries(packages.slice(0, 12).map((p) => [p.name, `^${p.version}`]))
    const manifest = JSON.stringify({ name: 'bench-project', version: '1.0.0', dependencies: roots })
    const project = async (name) => {
      await mkdir(at(name), { recursive: true })
      await writeFile(at(name, 'package.json'), manifest)
      return at(name)
    }
    const larderAt = async (name) => {
      const larder = await startLarder({ dataDir: at(name), npmUpstream: registry.url, logLevel: 'info', logFile: at(`${name}.log`) })
      return { ...larder, registry: `${larder.url}/npm/`, log: at(`${name}.log`) }
    }

    // pnpm-lock.yaml v9 keeps integrity, not URLs, for registry packages: one lockfile, written through a throwaway Larder, serves both.
    const pnpmProject = await project('pnpm')
    const writer = await larderAt('writer')
    stops.unshift(writer.stop)
    await checked('pnpm install', pnpm(['install'], pnpmProject, writer.registry, freshClient()))
    const pnpmFrozen = async (server) => {
      await rm(join(pnpmProject, 'node_modules'), { recursive: true, force: true })
      const [since, upstreamSince] = [await logSize(server.log), registry.requests.length]
      const ms = await timed(() =>
        checked('pnpm install --frozen-lockfile', pnpm(['install', '--frozen-lockfile'], pnpmProject, server.registry, freshClient())),
      )
      const upstream = countPaths(registry.requests.slice(upstreamSince).map((r) => ({ path: `/npm${r.path}` })))
      return { ms, upstream, requests: server.log && countPaths(await requestsSince(server.log, since)) }
    }
    // Cold installs each on a fresh server, in ABBA order; the last server of each kind, warm now, serves the warm rounds.
    let servers = 0
    const fresh = {
      verdaccio: () => startVerdaccio(at(`verdaccio-${servers++}`), registry.url),
      larder: () => larderAt(`larder-${servers++}`),
    }
    const warm = {}
    const pnpmCold = await abba(options.coldRounds, { verdaccio: 'verdaccio', larder: 'larder' }, async (kind) => {
      await warm[kind]?.stop()
      warm[kind] = await fresh[kind]()
      stops.unshift(warm[kind].stop)
      return pnpmFrozen(warm[kind])
    })
    const larder = warm.larder

    // npm's lockfile keeps Larder's URLs; nginx serves the bytes Larder sent under the same paths.
    const npmLarder = await project('npm-larder')
    await checked('npm install', npm(['install', '--ignore-scripts'], npmLarder, larder.registry, freshClient()))
    const lockfile = await readFile(join(npmLarder, 'package-lock.json'), 'utf8')
    const resolved = Object.values(JSON.parse(lockfile).packages).flatMap((entry) => (entry.resolved ? [entry.resolved] : []))
    const root = at('nginx-root')
    for (const url of resolved) {
      const served = await fetchOnce(url)
      if (served.status !== 200) throw new Error(`GET ${url}: status ${served.status}`)
      const file = join(root, new URL(url).pathname)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, served.body)
    }
    const nginx = await startNginx({ root, workDir: work.path })
    stops.unshift(nginx.stop)
    // nginx serves pnpm the same tarballs at the same paths: the floor any mirror could reach with this client.
    const pnpmWarm = await abba(options.rounds, { ...warm, nginx: { registry: `${nginx.url}/npm/` } }, pnpmFrozen)
    const npmNginx = await project('npm-nginx')
    await writeFile(join(npmNginx, 'package-lock.json'), lockfile.replaceAll(`${larder.url}/`, `${nginx.url}/`))
    const npmSides = { nginx: { registry: `${nginx.url}/npm/`, project: npmNginx }, larder: { ...larder, project: npmLarder } }
    const npmCi = await abba(options.rounds, npmSides, async (side) => {
      await rm(join(side.project, 'node_modules'), { recursive: true, force: true })
      const since = await logSize(side.log)
      const ms = await timed(() => checked('npm ci', npm(['ci', '--ignore-scripts'], side.project, side.registry, freshClient())))
      return { ms, requests: side.log && countPaths(await requestsSince(side.log, since)) }
    })

    const pair = (sides, a, b) => ({ [`${a}Ms`]: sides[a].medianMs, [`${b}Ms`]: sides[b].medianMs, ratio: sides[b].medianMs / sides[a].medianMs })
    return {
      packages: packages.length,
      tarballMb: packages.reduce((sum, p) => sum + p.tarball.length, 0) / 1024 ** 2,
      pnpmCold: pair(pnpmCold, 'verdaccio', 'larder'),
      pnpmWarm: pair(pnpmWarm, 'verdaccio', 'larder'),
      pnpmWarmNginx: pair(pnpmWarm, 'nginx', 'larder'),
      npmCi: pair(npmCi, 'nginx', 'larder'),
      rounds: { pnpmCold, pnpmWarm, npmCi },
    }
  } finally {
    for (const stop of stops) await stop()
  }
}

/** Rounds in ABBA order (A B, B A, A B...), each side `rounds` times: per side the times, their median, and the rest of its last round. */
async function abba(rounds, sides, install) {
  const names = Object.keys(sides)
  const runs = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) runs[name].push(await install(sides[name]))
  }
  return Object.fromEntries(
    names.map((name) => [name, { ...runs[name].at(-1), ms: runs[name].map((r) => r.ms), medianMs: median(runs[name].map((r) => r.ms)) }]),
  )
}

/** Verdaccio 6 as a child process: storage under `dir`, every package proxied from `upstream`, packuments fresh for an hour like Larder's. */
async function startVerdaccio(dir, upstream) {
  const port = await freePort()
  await mkdir(dir, { recursive: true })
  const config = join(dir, 'config.yaml')
  const yaml = [
    `storage: ${join(dir, 'storage')}`,
    'uplinks:',
    `  fixture: { url: '${upstream}/', maxage: 60m }`,
    'packages:',
    "  '**': { access: $all, proxy: fixture }",
    `listen: ${HOST}:${port}`,
    'log: { type: stdout, format: json, level: warn }',
    'web: { enable: false }',
  ]
  await writeFile(config, `${yaml.join('\n')}\n`)
  const child = await startProcess(process.execPath, [VERDACCIO, '--config', config], { cwd: dir })
  const url = `http://${HOST}:${port}`
  await waitFor(async () => (await fetchOnce(`${url}/-/ping`).catch(() => ({ status: 0 }))).status === 200, {
    timeoutMs: READY_TIMEOUT_MS,
    description: `Verdaccio ready on ${url}`,
  }).catch(async (error) => {
    await child.stop()
    throw new Error(`Verdaccio did not start:\n${child.output().stdout}\n${child.output().stderr}`, { cause: error })
  })
  return { name: 'verdaccio', url, registry: `${url}/`, stop: () => child.stop() }
}

/** A client HOME of its own (empty npmrc, cache, pnpm store and state), so every install starts cold. */
async function clientEnv(dir, registry) {
  await mkdir(dir, { recursive: true })
  const xdg = Object.fromEntries(['CONFIG', 'CACHE', 'DATA', 'STATE'].map((kind) => [`XDG_${kind}_HOME`, join(dir, kind.toLowerCase())]))
  return prepareIsolatedNpmEnv(dir, { HOME: dir, ...xdg, npm_config_registry: registry, CI: undefined, PNPM_HOME: undefined })
}

async function pnpm(args, cwd, registry, dir) {
  const env = await clientEnv(dir, registry)
  const flags = [`--store-dir=${join(dir, 'store')}`, `--config.cache-dir=${join(dir, 'cache')}`, `--config.registry=${registry}`, '--reporter=append-only']
  return run(process.execPath, [PNPM, ...args, ...flags], { cwd, env, timeoutMs: CLIENT_TIMEOUT_MS })
}

async function npm(args, cwd, registry, dir) {
  return run('npm', args, { cwd, env: await clientEnv(dir, registry), timeoutMs: CLIENT_TIMEOUT_MS })
}

async function logSize(log) {
  return log ? (await stat(log)).size : 0
}

/** Larder's request lines written since byte `since`. */
async function requestsSince(log, since) {
  const lines = (await readFile(log)).subarray(since).toString('utf8').split('\n')
  return lines.filter((line) => line.includes('"msg":"request"')).map((line) => JSON.parse(line))
}

/** Requests counted as packuments and tarballs, by cache outcome when there is one. */
function countPaths(requests) {
  const counts = {}
  for (const { path, cache } of requests) {
    const kind = `${!path.startsWith('/npm/') ? 'other' : path.includes('/-/') ? 'tarball' : 'packument'}${cache ? ` ${cache}` : ''}`
    counts[kind] = (counts[kind] ?? 0) + 1
  }
  return counts
}

async function checked(what, running) {
  return exitedZero(what)(await running)
}
