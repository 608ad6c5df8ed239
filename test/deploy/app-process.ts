/** Starts one Larder app alone, the way its container runs it: `node apps/<app>/dist/main.js` with HOST, PORT and LARDER_DATA_DIR. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTempDir, startProcess, type EnvOverrides, type ProcessExit, type StartedProcess } from '@larder/testkit'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Every app docker-compose.yml runs, in the order of its services. */
export const LARDER_APPS = ['npm', 'pypi', 'composer', 'gems', 'apt', 'oci', 'files'] as const
export type LarderAppName = (typeof LARDER_APPS)[number]
export const DEFAULT_APP_READY_TIMEOUT_MS = 60_000

/** The pino line every app's main.js prints once it listens; it carries the port. */
const READY_LINE = /"msg":"listening on http:\/\/[^"]+"/

export const appEntry = (app: LarderAppName) => `apps/${app}/dist/main.js`

/** The apps that are built here (composer and apt may still be on their way). */
export function builtApps(): LarderAppName[] {
  return LARDER_APPS.filter((app) => existsSync(join(REPO_ROOT, appEntry(app))))
}

export interface AppProcess {
  readonly app: LarderAppName
  readonly port: number
  readonly pid: number
  readonly exited: Promise<ProcessExit>
  /** The request paths the app logged, exactly as they reached it (not decoded). */
  requestPaths(): string[]
  output(): string
  stop(): Promise<ProcessExit>
}

export async function startApp(app: LarderAppName, env: EnvOverrides = {}): Promise<AppProcess> {
  const data = await makeTempDir(`larder-e2e-deploy-${app}-`)
  let child: StartedProcess
  try {
    child = await startProcess(process.execPath, [appEntry(app)], {
      cwd: REPO_ROOT,
      // As in the container, except that tests listen on loopback and port 0.
      env: { LARDER_LOG_LEVEL: 'info', ...env, HOST: '127.0.0.1', PORT: '0', LARDER_DATA_DIR: data.path },
      readyLine: READY_LINE,
      readyTimeoutMs: DEFAULT_APP_READY_TIMEOUT_MS,
    })
  } catch (error) {
    await data.cleanup()
    throw error
  }
  const line =
    child
      .output()
      .stdout.split('\n')
      .find((l) => READY_LINE.test(l)) ?? '{}'
  const port = Number((JSON.parse(line) as { port?: unknown }).port)
  if (!Number.isInteger(port) || port <= 0) {
    child.kill('SIGKILL')
    await data.cleanup()
    throw new Error(`${app}: the listening line names no port:\n${child.output().stdout}`)
  }
  return {
    app,
    port,
    pid: child.pid,
    exited: child.exited,
    requestPaths: () =>
      child
        .output()
        .stdout.split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          const path = (JSON.parse(l) as { path?: unknown }).path
          return typeof path === 'string' ? [path] : []
        }),
    output: () => `--- ${app} stdout ---\n${child.output().stdout}\n--- ${app} stderr ---\n${child.output().stderr}`,
    stop: async () => {
      const exit = await child.stop()
      await data.cleanup()
      return exit
    },
  }
}
