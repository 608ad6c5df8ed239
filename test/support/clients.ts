/** Runs the real npm, pnpm and yarn (classic) against Larder, each isolated from the machine's config and caches. */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, prepareIsolatedNpmEnv, run, type EnvOverrides, type RunResult } from '@larder/testkit'
import { REPO_ROOT } from './larder-process.js'

export const PNPM_BIN = join(REPO_ROOT, 'node_modules/pnpm/bin/pnpm.cjs')
export const YARN_BIN = join(REPO_ROOT, 'node_modules/yarn/bin/yarn.js')
export const DEFAULT_CLIENT_TIMEOUT_MS = 120_000

export interface ClientSandboxOptions {
  /** The registry URL every client uses, e.g. http://127.0.0.1:PORT/npm/. */
  registry: string
  /** Extra .npmrc lines (auth tokens). */
  npmrc?: string[]
}

export interface ClientRunOptions {
  cwd: string
  timeoutMs?: number
  env?: EnvOverrides
}

export interface ClientSandbox {
  readonly root: string
  readonly home: string
  /** The .npmrc npm and pnpm read (npm_config_userconfig). */
  readonly npmrc: string
  /** The cache directories in use now; `freshCaches()` switches to new empty ones. */
  readonly caches: { npm: string; pnpmStore: string; yarn: string }
  setRegistry(registry: string, npmrc?: string[]): Promise<void>
  freshCaches(): Promise<void>
  npm(args: readonly string[], options: ClientRunOptions): Promise<RunResult>
  pnpm(args: readonly string[], options: ClientRunOptions): Promise<RunResult>
  yarn(args: readonly string[], options: ClientRunOptions): Promise<RunResult>
  cleanup(): Promise<void>
}

/**
 * Every client gets a temp HOME (so ~/.npmrc, ~/.yarnrc and XDG dirs are never the machine's), an
 * explicit userconfig and globalconfig, and cache dirs of our own. The machine's ~/.npmrc sets
 * omit-lockfile-registry-resolved, which would hide the lockfile URLs these tests check.
 */
export async function createClientSandbox(options: ClientSandboxOptions): Promise<ClientSandbox> {
  const temp = await makeTempDir('larder-e2e-clients-')
  const root = temp.path
  const home = join(root, 'home')
  await mkdir(home, { recursive: true })
  const globalconfig = join(root, 'global-npmrc')
  await writeFile(globalconfig, '')
  const baseEnv = await prepareIsolatedNpmEnv(root)
  const npmrc = baseEnv.npm_config_userconfig as string
  let registry = options.registry
  let generation = 0
  const caches = { npm: '', pnpmStore: '', yarn: '' }

  const writeNpmrc = async (lines: string[] = []) => {
    await writeFile(npmrc, [`registry=${registry}`, ...lines, ''].join('\n'))
  }
  const freshCaches = async () => {
    generation += 1
    const dir = join(root, `caches-${generation}`)
    caches.npm = join(dir, 'npm')
    caches.pnpmStore = join(dir, 'pnpm-store')
    caches.yarn = join(dir, 'yarn')
    for (const path of Object.values(caches)) await mkdir(path, { recursive: true })
  }
  await writeNpmrc(options.npmrc)
  await freshCaches()

  const env = (extra: EnvOverrides = {}): EnvOverrides => ({
    ...baseEnv,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    npm_config_globalconfig: globalconfig,
    npm_config_cache: caches.npm,
    npm_config_registry: undefined,
    // Neither a CI-detected nor an interactive run: plain output, no prompts.
    CI: undefined,
    YARN_REGISTRY: undefined,
    YARN_CACHE_FOLDER: caches.yarn,
    PNPM_HOME: undefined,
    ...extra,
  })

  const runClient = (command: string, args: readonly string[], run_: ClientRunOptions) =>
    run(command, args, { cwd: run_.cwd, env: env(run_.env), timeoutMs: run_.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS })

  return {
    root,
    home,
    npmrc,
    caches,
    setRegistry: async (next, lines) => {
      registry = next
      await writeNpmrc(lines)
    },
    freshCaches,
    npm: (args, opts) => runClient('npm', args, opts),
    pnpm: (args, opts) =>
      runClient(process.execPath, [PNPM_BIN, ...args, `--store-dir=${caches.pnpmStore}`, `--config.registry=${registry}`, '--reporter=append-only'], opts),
    yarn: async (args, opts) => {
      // yarn classic reads the registry from a .yarnrc beside package.json.
      await writeFile(join(opts.cwd, '.yarnrc'), `registry "${registry}"\n`)
      return runClient(process.execPath, [YARN_BIN, ...args, `--cache-folder=${caches.yarn}`, '--non-interactive', '--no-progress'], opts)
    },
    cleanup: () => temp.cleanup(),
  }
}

/** Formats a client run for an assertion message: a failing install should show why. */
export function describeRun(result: RunResult): string {
  return `exit ${result.code} (signal ${result.signal})\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}

/** Removes what an install leaves in a project (node_modules), keeping package.json and lockfiles. */
export async function removeNodeModules(projectDir: string): Promise<void> {
  await rm(join(projectDir, 'node_modules'), { recursive: true, force: true })
}
