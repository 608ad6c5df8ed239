/** Starts the Composer app alone (`node apps/composer/dist/main.js`, the same /composer layout as the all-in-one server) for end-to-end tests. */
import { fileURLToPath } from 'node:url'
import { makeTempDir, startProcess, type EnvOverrides, type StartedProcess } from '@larder/testkit'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const COMPOSER_ENTRY = 'apps/composer/dist/main.js'
const READY_LINE = /"msg":"listening on http:\/\/[^"]+"/

export interface ComposerServer {
  readonly url: string
  readonly port: number
  /** http://127.0.0.1:PORT/composer: the repository URL in composer.json. */
  readonly repositoryUrl: string
  readonly dataDir: string
  /** Request log lines: path, status, cache. */
  requests(): { method: string; path: string; status: number; cache: string }[]
  output(): string
  stop(): Promise<void>
}

export interface StartComposerServerOptions {
  /** Reuse a store (a restart); a fresh temp dir otherwise, removed by stop(). */
  dataDir?: string
  /** A restart on the port of an earlier process keeps the mirror URLs in composer.lock valid. */
  port?: number
  env?: EnvOverrides
}

export async function startComposerServer(options: StartComposerServerOptions = {}): Promise<ComposerServer> {
  const own = options.dataDir === undefined ? await makeTempDir('larder-e2e-composer-') : undefined
  const dataDir = options.dataDir ?? own!.path
  let child: StartedProcess
  try {
    child = await startProcess(process.execPath, [COMPOSER_ENTRY], {
      cwd: REPO_ROOT,
      env: { LARDER_LOG_LEVEL: 'info', ...options.env, PORT: String(options.port ?? 0), HOST: '127.0.0.1', LARDER_DATA_DIR: dataDir },
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
    port,
    repositoryUrl: `${url}/composer`,
    dataDir,
    requests: () =>
      logs()
        .filter((l) => typeof l.cache === 'string')
        .map((l) => ({ method: String(l.method), path: String(l.path), status: Number(l.status), cache: String(l.cache) })),
    output: () => `--- larder stdout ---\n${child.output().stdout}\n--- larder stderr ---\n${child.output().stderr}`,
    stop: async () => {
      await child.stop()
      await own?.cleanup()
    },
  }
}
