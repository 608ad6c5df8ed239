/** Real pip (in a fresh venv) and Debian's twine, isolated from the machine's config, caches and find-links. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, run, type EnvOverrides, type RunResult } from '@larder/testkit'

export const CLIENT_TIMEOUT_MS = 240_000
export const TWINE = process.env.LARDER_TEST_TWINE ?? 'twine'

export interface PythonClients {
  readonly root: string
  /** Runs `python -m pip` of the venv with its own empty cache. */
  pip(args: string[]): Promise<RunResult>
  /** Runs the venv's python. */
  python(args: string[]): Promise<RunResult>
  /** A fresh venv and pip cache: nothing installed, nothing cached. */
  freshVenv(): Promise<void>
  twine(args: string[], env?: EnvOverrides): Promise<RunResult>
  writeFile(name: string, text: string): Promise<string>
  cleanup(): Promise<void>
}

export async function createPythonClients(): Promise<PythonClients> {
  const temp = await makeTempDir('larder-e2e-python-')
  const home = join(temp.path, 'home')
  await mkdir(home)
  let generation = 0
  let venv = ''
  let cache = ''
  const env = (extra: EnvOverrides = {}): EnvOverrides => ({
    HOME: home,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_FIND_LINKS: undefined,
    PIP_INDEX_URL: undefined,
    PIP_EXTRA_INDEX_URL: undefined,
    PIP_NO_INDEX: undefined,
    PIP_TRUSTED_HOST: undefined,
    PIP_REQUIRE_VIRTUALENV: undefined,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PIP_CACHE_DIR: cache,
    TWINE_USERNAME: undefined,
    TWINE_PASSWORD: undefined,
    TWINE_REPOSITORY: undefined,
    TWINE_REPOSITORY_URL: undefined,
    PYTHONDONTWRITEBYTECODE: '1',
    VIRTUAL_ENV: undefined,
    ...extra,
  })
  const freshVenv = async () => {
    generation += 1
    venv = join(temp.path, `venv-${generation}`)
    cache = join(temp.path, `pip-cache-${generation}`)
    await mkdir(cache)
    const made = await run('python3', ['-m', 'venv', venv], { env: env(), timeoutMs: CLIENT_TIMEOUT_MS })
    if (made.code !== 0) throw new Error(`python3 -m venv failed: ${made.stderr}`)
  }
  await freshVenv()
  const python = (args: string[]) => run(join(venv, 'bin/python'), args, { cwd: temp.path, env: env(), timeoutMs: CLIENT_TIMEOUT_MS })
  return {
    root: temp.path,
    pip: (args) => python(['-m', 'pip', ...args]),
    python,
    freshVenv,
    twine: (args, extra) => run(TWINE, args, { cwd: temp.path, env: env(extra), timeoutMs: CLIENT_TIMEOUT_MS }),
    writeFile: async (name, text) => {
      const path = join(temp.path, name)
      await writeFile(path, text)
      return path
    },
    cleanup: () => temp.cleanup(),
  }
}

export function describeRun(result: RunResult): string {
  return `exit ${result.code} (signal ${result.signal})\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}
