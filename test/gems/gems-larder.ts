/** Starts the standalone RubyGems mirror (`node apps/gems/dist/main.js`) as a child process for end-to-end tests. */
import { fileURLToPath } from 'node:url'
import { startProcess, type EnvOverrides, type StartedProcess } from '@larder/testkit'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const GEMS_ENTRY = 'apps/gems/dist/main.js'
const READY_LINE = /"msg":"listening on http:\/\/[^"]+"/

export interface GemsLarder {
  /** http://127.0.0.1:PORT/gems/ — what a client's source is set to. */
  readonly source: string
  readonly url: string
  output(): string
  /** Paths of the requests Larder logged, in order. */
  requestPaths(): string[]
  /** The requests Larder logged, in order, with the status it answered. */
  requests(): { path: string; status: number }[]
  stop(): Promise<void>
}

export async function startGemsLarder(dataDir: string, env: EnvOverrides = {}): Promise<GemsLarder> {
  const child: StartedProcess = await startProcess(process.execPath, [GEMS_ENTRY], {
    cwd: REPO_ROOT,
    env: { LARDER_LOG_LEVEL: 'info', ...env, PORT: '0', HOST: '127.0.0.1', LARDER_DATA_DIR: dataDir },
    readyLine: READY_LINE,
    readyTimeoutMs: 30_000,
  })
  const line = child.output().stdout.split('\n').find((l) => READY_LINE.test(l)) ?? '{}'
  const port = Number((JSON.parse(line) as { port?: unknown }).port)
  if (!Number.isInteger(port) || port <= 0) {
    child.kill('SIGKILL')
    throw new Error(`the gems mirror named no port:\n${child.output().stdout}`)
  }
  const url = `http://127.0.0.1:${port}`
  const requests = () =>
    child
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"msg":"request"'))
      .map((l) => JSON.parse(l) as { path?: unknown; status?: unknown })
      .map((r) => ({ path: String(r.path), status: Number(r.status) }))
  return {
    url,
    source: `${url}/gems/`,
    output: () => `--- larder stdout ---\n${child.output().stdout}\n--- larder stderr ---\n${child.output().stderr}`,
    requestPaths: () => requests().map((r) => r.path),
    requests,
    stop: async () => {
      await child.stop()
    },
  }
}
