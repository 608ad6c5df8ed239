/** Runs Debian's real composer against Larder, isolated from the machine's config; each cache is new and empty on request. */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, prepareIsolatedComposerEnv, run, type EnvOverrides, type RunResult } from '@larder/testkit'

export const COMPOSER_BIN = '/usr/bin/composer'
export const COMPOSER_TIMEOUT_MS = 240_000

export interface ComposerClient {
  readonly root: string
  composer(args: readonly string[], cwd: string): Promise<RunResult>
  php(code: string, cwd: string): Promise<RunResult>
  /** Switches COMPOSER_CACHE_DIR to a new empty directory. */
  freshCache(): Promise<void>
  cleanup(): Promise<void>
}

export async function createComposerClient(): Promise<ComposerClient> {
  const temp = await makeTempDir('larder-e2e-composer-client-')
  const base = await prepareIsolatedComposerEnv(temp.path)
  let env: EnvOverrides = base
  let generation = 0
  return {
    root: temp.path,
    composer: (args, cwd) => run(COMPOSER_BIN, ['--no-interaction', '--no-ansi', ...args], { cwd, env, timeoutMs: COMPOSER_TIMEOUT_MS }),
    php: (code, cwd) => run('php', ['-r', code], { cwd, env }),
    freshCache: async () => {
      generation += 1
      const cache = join(temp.path, `composer-cache-${generation}`)
      await mkdir(cache, { recursive: true })
      env = { ...base, COMPOSER_CACHE_DIR: cache }
    },
    cleanup: () => temp.cleanup(),
  }
}

export function describeRun(result: RunResult): string {
  return `exit ${result.code} (signal ${result.signal})\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}

export interface LockedPackage {
  name: string
  version: string
  dist: { type: string; url: string; reference: string; shasum: string; mirrors?: { url: string; preferred: boolean }[] }
}

export async function lockedPackages(projectDir: string): Promise<LockedPackage[]> {
  const lock = JSON.parse(await readFile(join(projectDir, 'composer.lock'), 'utf8')) as { packages: LockedPackage[] }
  return lock.packages
}

export async function removeVendor(projectDir: string): Promise<void> {
  await rm(join(projectDir, 'vendor'), { recursive: true, force: true })
}
