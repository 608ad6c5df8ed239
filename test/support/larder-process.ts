/** Starts a real Larder process (the all-in-one server, or one app alone the way its container runs it) for end-to-end tests. */
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { makeTempDir, startProcess, waitFor, type EnvOverrides, type ProcessExit, type StartedProcess } from '@larder/testkit'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const SERVER_ENTRY = 'apps/server/dist/main.js'
export const DEFAULT_LARDER_READY_TIMEOUT_MS = 20_000
const LOG_MARKER_TIMEOUT_MS = 10_000
/** The request id of the harness's own marker requests, whose lines logs() leaves out. */
const LOG_MARKER_PREFIX = 'e2e-log-marker-'

/** The pino line the server prints once it listens. */
const READY_LINE = /"msg":"listening on http:\/\/[^"]+"/

export interface StartLarderOptions {
  /** Which entry point to run; the all-in-one server by default, e.g. 'apps/pypi/dist/main.js' for one app alone. */
  entry?: string
  readyTimeoutMs?: number
  /** The store lives here; a fresh temp dir when omitted (then removed by `stop()`). */
  dataDir?: string
  /** 0 (the default) picks a free port; a restart on the port of an earlier process keeps lockfile URLs valid. */
  port?: number
  /** LARDER_* variables; PORT, HOST and LARDER_DATA_DIR are set by this helper. */
  env?: EnvOverrides
  /** The line that means ready, carrying the port: the first "listening" line by default; with workers, the primary's. */
  readyLine?: RegExp
  /** Node options before the entry, e.g. `--import` a probe. */
  nodeArgs?: string[]
}

/** One line Larder logged for a request it answered. */
export interface RequestLog {
  method: string
  path: string
  status: number
  cache: string
}

export interface LarderServer {
  /** http://127.0.0.1:PORT */
  readonly url: string
  /** http://127.0.0.1:PORT/npm/ — what a client's `registry` is set to. */
  readonly npmRegistry: string
  readonly port: number
  readonly dataDir: string
  /** The Larder process itself, e.g. to read its memory from /proc/<pid>/status. */
  readonly pid: number
  readonly exited: Promise<ProcessExit>
  /**
   * Every JSON line printed on stdout for what happened so far. Larder logs asynchronously, so this first
   * sends a marker request and waits for its line: every line logged before it is then there too.
   */
  logs(): Promise<Record<string, unknown>[]>
  /** The request lines only (those with a cache result), complete as logs() is. */
  requests(): Promise<RequestLog[]>
  /** Output as text, for assertion messages. */
  output(): string
  /** SIGTERM and wait; removes the data dir only if this helper created it. */
  stop(): Promise<void>
  /** SIGKILL (a crash): nothing is cleaned up, the data dir stays for the next process. */
  kill(): Promise<ProcessExit>
}

export async function startLarder(options: StartLarderOptions = {}): Promise<LarderServer> {
  const ownDir = options.dataDir === undefined ? await makeTempDir('larder-e2e-data-') : undefined
  const dataDir = options.dataDir ?? ownDir!.path
  let child: StartedProcess
  try {
    child = await startProcess(process.execPath, [...(options.nodeArgs ?? []), options.entry ?? SERVER_ENTRY], {
      cwd: REPO_ROOT,
      env: {
        LARDER_LOG_LEVEL: 'info',
        ...options.env,
        PORT: String(options.port ?? 0),
        HOST: '127.0.0.1',
        LARDER_DATA_DIR: dataDir,
      },
      readyLine: options.readyLine ?? READY_LINE,
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_LARDER_READY_TIMEOUT_MS,
    })
  } catch (error) {
    await ownDir?.cleanup()
    throw error
  }
  const readyLine = child
    .output()
    .stdout.split('\n')
    .find((line) => (options.readyLine ?? READY_LINE).test(line))
  const port = Number((JSON.parse(readyLine ?? '{}') as { port?: unknown }).port)
  if (!Number.isInteger(port) || port <= 0) {
    child.kill('SIGKILL')
    throw new Error(`startLarder: the ready line names no port:\n${child.output().stdout}`)
  }
  const url = `http://127.0.0.1:${port}`

  const parsedLogs = () =>
    child
      .output()
      .stdout.split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>]
        } catch {
          return []
        }
      })

  let exited = false
  void child.exited.then(() => {
    exited = true
  })
  /** Lines come out in the order they were logged (one process): once the marker's is there, all before it are. */
  const settled = async () => {
    if (exited) return
    const marker = `${LOG_MARKER_PREFIX}${randomUUID()}`
    // /-/events is on every entry point and logs its request line (/healthz logs none); its answer does not matter.
    // Bounded: under LARDER_WORKERS a connection handed to a worker in the instant it dies is never answered.
    const answered = await fetch(`${url}/-/events?limit=1`, {
      headers: { 'x-request-id': marker },
      signal: AbortSignal.timeout(LOG_MARKER_TIMEOUT_MS / 2),
    }).then(
      async (response) => {
        await response.arrayBuffer()
        return true
      },
      () => false,
    )
    if (!answered) return
    await waitFor(async () => exited || child.output().stdout.includes(marker), { timeoutMs: LOG_MARKER_TIMEOUT_MS, description: 'the log marker line' })
  }
  const logs = async () => {
    await settled()
    return parsedLogs().filter((line) => !String(line.reqId ?? '').startsWith(LOG_MARKER_PREFIX))
  }

  return {
    url,
    npmRegistry: `${url}/npm/`,
    port,
    dataDir,
    pid: child.pid,
    exited: child.exited,
    logs,
    requests: async () =>
      (await logs())
        .filter((line) => typeof line.cache === 'string' && typeof line.path === 'string')
        .map((line) => ({
          method: String(line.method),
          path: String(line.path),
          status: Number(line.status),
          cache: String(line.cache),
        })),
    output: () => {
      const { stdout, stderr } = child.output()
      return `--- larder stdout ---\n${stdout}\n--- larder stderr ---\n${stderr}`
    },
    stop: async () => {
      await child.stop()
      await ownDir?.cleanup()
    },
    kill: async () => {
      child.kill('SIGKILL')
      return child.exited
    },
  }
}
