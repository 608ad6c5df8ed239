/** Starts the APT app alone (`node apps/apt/dist/main.js`, the same /apt/ layout as the all-in-one server) for end-to-end tests. */
import { fileURLToPath } from 'node:url'
import { startProcess, type EnvOverrides, type StartedProcess } from '@larder/testkit'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const APT_ENTRY = 'apps/apt/dist/main.js'
const READY_LINE = /"msg":"listening on http:\/\/[^"]+"/

export interface AptLarder {
  /** http://127.0.0.1:PORT */
  readonly url: string
  /** http://127.0.0.1:PORT/apt */
  readonly apt: string
  /** Request log lines: path, status, cache. */
  requests(): { method: string; path: string; status: number; cache: string }[]
  output(): string
  stop(): Promise<void>
}

export async function startAptLarder(dataDir: string, env: EnvOverrides = {}): Promise<AptLarder> {
  const child: StartedProcess = await startProcess(process.execPath, [APT_ENTRY], {
    cwd: REPO_ROOT,
    env: { LARDER_LOG_LEVEL: 'info', ...env, PORT: '0', HOST: '127.0.0.1', LARDER_DATA_DIR: dataDir },
    readyLine: READY_LINE,
    // The first start makes an RSA signing key; a busy machine makes that slow.
    readyTimeoutMs: 120_000,
  })
  const line = child.output().stdout.split('\n').find((l) => READY_LINE.test(l)) ?? '{}'
  const port = Number((JSON.parse(line) as { port?: unknown }).port)
  if (!Number.isInteger(port) || port <= 0) {
    child.kill('SIGKILL')
    throw new Error(`the apt mirror named no port:\n${child.output().stdout}`)
  }
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
    apt: `${url}/apt`,
    requests: () =>
      logs()
        .filter((l) => l.msg === 'request')
        .map((l) => ({ method: String(l.method), path: String(l.path), status: Number(l.status), cache: String(l.cache) })),
    output: () => `--- larder stdout ---\n${child.output().stdout}\n--- larder stderr ---\n${child.output().stderr}`,
    stop: async () => {
      await child.stop()
    },
  }
}
