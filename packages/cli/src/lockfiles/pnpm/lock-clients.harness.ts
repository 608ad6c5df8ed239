/**
 * For the pnpm and yarn readers' tests: the real pnpm, yarn classic and yarn berry write their lockfiles
 * for one small graph against a fixture registry, each with a temp HOME and caches of its own.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  makeTempDir,
  packNpmPackage,
  prepareIsolatedNpmEnv,
  run,
  startNpmRegistryFixture,
  type NpmRegistryFixture,
  type PackedPackage,
  type TempDir,
} from '@larder/testkit'

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url))
export const PNPM_BIN = join(REPO_ROOT, 'node_modules/pnpm/bin/pnpm.cjs')
export const YARN_BIN = join(REPO_ROOT, 'node_modules/yarn/bin/yarn.js')
export const BERRY_BIN = join(REPO_ROOT, 'node_modules/@yarnpkg/cli-dist/bin/yarn.js')

export type LockClient = 'pnpm' | 'yarn' | 'berry'

/** A scope, two versions of one package, an alias, a peer dependency resolved two ways, and a local folder. */
export const LOCK_DEPENDENCIES = {
  '@lock/util': '^1.0.0',
  'lock-right': '1.0.0',
  'lock-alias': 'npm:lock-left@1.0.0',
  'lock-peer': '^1.0.0',
  local: 'file:./local',
}

export interface LockGraph {
  registry: NpmRegistryFixture
  packages: PackedPackage[]
  work: TempDir
  stop(): Promise<void>
}

export async function startLockGraph(): Promise<LockGraph> {
  const peer = { peerDependencies: { 'lock-right': '*' } }
  const packages = await Promise.all([
    packNpmPackage({ name: 'lock-right', version: '1.0.0' }),
    packNpmPackage({ name: 'lock-right', version: '2.0.0' }),
    packNpmPackage({ name: 'lock-left', version: '1.0.0', dependencies: { 'lock-right': '^2.0.0', 'lock-peer': '^1.0.0' } }),
    packNpmPackage({ name: '@lock/util', version: '1.0.0', dependencies: { 'lock-left': '^1.0.0' } }),
    packNpmPackage({ name: 'lock-peer', version: '1.0.0', manifest: peer }),
  ])
  const registry = await startNpmRegistryFixture({ packages })
  const work = await makeTempDir('larder-cli-js-locks-')
  return {
    registry,
    packages,
    work,
    stop: async () => {
      await registry.stop()
      await work.cleanup()
    },
  }
}

/** Berry's settings: a plain-http registry allowed, versions published a moment ago not held back, nothing global. */
export function berryRc(registry: string, dir: string): string {
  const settings = {
    npmRegistryServer: registry,
    unsafeHttpWhitelist: ['127.0.0.1', 'localhost'],
    npmMinimalAgeGate: 0,
    enableTelemetry: false,
    enableGlobalCache: false,
    enableMirror: false,
    nodeLinker: 'node-modules',
    cacheFolder: join(dir, 'cache'),
    globalFolder: join(dir, 'global'),
  }
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join('\n')}\n`
}

/** Has `client` lock `dependencies` (resolving only, where it can) in a new project under the graph's work dir: the lockfile's text. */
export async function writeLockfile(graph: LockGraph, client: LockClient, dependencies: Record<string, string> = LOCK_DEPENDENCIES): Promise<string> {
  const root = join(graph.work.path, client)
  const dir = join(root, 'app')
  const home = join(root, 'home')
  await Promise.all([mkdir(join(dir, 'local'), { recursive: true }), mkdir(home, { recursive: true })])
  await writeFile(join(dir, 'local/package.json'), JSON.stringify({ name: 'local', version: '1.0.0' }))
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies }))
  // CI=true would make berry refuse to write a lockfile at all (immutable installs).
  const env = { ...(await prepareIsolatedNpmEnv(root)), HOME: home, XDG_CONFIG_HOME: join(home, '.config'), CI: undefined }
  const registry = `${graph.registry.url}/`
  let command: string[]
  let lockfile = 'yarn.lock'
  if (client === 'pnpm') {
    command = [PNPM_BIN, 'install', '--lockfile-only', `--store-dir=${join(root, 'store')}`, `--config.registry=${registry}`, '--reporter=append-only']
    lockfile = 'pnpm-lock.yaml'
  } else if (client === 'yarn') {
    await writeFile(join(dir, '.yarnrc'), `registry "${registry}"\n`)
    command = [YARN_BIN, 'install', `--cache-folder=${join(root, 'cache')}`, '--non-interactive', '--no-progress']
  } else {
    // An empty yarn.lock marks the project's root, so berry looks no further up.
    await writeFile(join(dir, 'yarn.lock'), '')
    await writeFile(join(dir, '.yarnrc.yml'), berryRc(graph.registry.url, root))
    command = [BERRY_BIN, 'install', '--mode=update-lockfile']
  }
  const result = await run(process.execPath, command, { cwd: dir, env, timeoutMs: 120_000 })
  if (result.code !== 0) throw new Error(`${client} install failed (${result.code}):\n${result.stdout}\n${result.stderr}`)
  return readFile(join(dir, lockfile), 'utf8')
}
