/** Starts the PyPI app alone (`node apps/pypi/dist/main.js`, the same /pypi/ layout as the all-in-one server) for end-to-end tests. */
import { fileURLToPath } from 'node:url'
import { makeTempDir, startProcess, type EnvOverrides, type StartedProcess } from '@larder/testkit'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const PYPI_ENTRY = 'apps/pypi/dist/main.js'
const READY_LINE = /"msg":"listening on http:\/\/[^"]+"/

export interface PypiServer {
  readonly url: string
  /** http://127.0.0.1:PORT/pypi/simple/ */
  readonly indexUrl: string
  /** http://127.0.0.1:PORT/pypi/ (twine's --repository-url) */
  readonly uploadUrl: string
  readonly dataDir: string
  /** Request log lines: path, status, cache. */
  requests(): { method: string; path: string; status: number; cache: string }[]
  output(): string
  stop(): Promise<void>
}

export interface StartPypiOptions {
  /** Reuse a store (a restart); a fresh temp dir otherwise, removed by stop(). */
  dataDir?: string
  env?: EnvOverrides
}

export async function startPypiServer(options: StartPypiOptions = {}): Promise<PypiServer> {
  const own = options.dataDir === undefined ? await makeTempDir('larder-e2e-pypi-') : undefined
  const dataDir = options.dataDir ?? own!.path
  let child: StartedProcess
  try {
    child = await startProcess(process.execPath, [PYPI_ENTRY], {
      cwd: REPO_ROOT,
      env: { LARDER_LOG_LEVEL: 'info', ...options.env, PORT: '0', HOST: '127.0.0.1', LARDER_DATA_DIR: dataDir },
      readyLine: READY_LINE,
      readyTimeoutMs: 60_000,
    })
  } catch (error) {
    await own?.cleanup()
    throw error
  }
  const line = child.output().stdout.split('\n').find((l) => READY_LINE.test(l))
  const port = Number((JSON.parse(line ?? '{}') as { port?: unknown }).port)
  const url = `http://127.0.0.1:${port}`
  const logs = () =>
    child
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>]
        } catch {
          return []
        }
      })
  return {
    url,
    indexUrl: `${url}/pypi/simple/`,
    uploadUrl: `${url}/pypi/`,
    dataDir,
    requests: () =>
      logs()
        .filter((l) => typeof l.cache === 'string')
        .map((l) => ({ method: String(l.method), path: String(l.path), status: Number(l.status), cache: String(l.cache) })),
    output: () => `--- stdout ---\n${child.output().stdout}\n--- stderr ---\n${child.output().stderr}`,
    stop: async () => {
      await child.stop()
      await own?.cleanup()
    },
  }
}
