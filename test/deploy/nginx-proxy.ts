/**
 * Runs deploy/nginx.conf with Debian's nginx in a temp prefix, unprivileged-friendly: only the
 * upstream `server` lines and `listen 80;` are substituted, and a small wrapper config adds what
 * nginx needs outside the container (pid, logs, temp paths) and `include`s the substituted file.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { makeTempDir, startProcess, waitFor, type ProcessExit } from '@larder/testkit'
import { LARDER_APPS, REPO_ROOT, type LarderAppName } from './app-process.js'

export const NGINX_CONFIG = join(REPO_ROOT, 'deploy/nginx.conf')
export const NGINX_BIN = process.env.LARDER_TEST_NGINX ?? 'nginx'
export const DEFAULT_NGINX_READY_TIMEOUT_MS = 30_000
/** The proxy's own health location (deploy/nginx.conf), which needs no app. */
export const PROXY_HEALTH_PATH = '/-/proxy/healthz'

const SERVER_LINE = /^(\s*)server ([a-z]+):8080 resolve;[ \t]*$/gm
const LISTEN_LINE = /^(\s*)listen 80;[ \t]*$/gm

/** deploy/nginx.conf with each app's `server` line pointing at `upstreams[app]` and `listen` at `listen`. */
export function substituteUpstreams(config: string, upstreams: Record<LarderAppName, string>, listen: string): string {
  const seen: string[] = []
  const text = config.replace(SERVER_LINE, (_line, indent: string, app: string) => {
    if (!(app in upstreams)) throw new Error(`deploy/nginx.conf names an upstream server "${app}" that is no Larder app`)
    seen.push(app)
    return `${indent}server ${upstreams[app as LarderAppName]};`
  })
  const missing = LARDER_APPS.filter((app) => seen.filter((s) => s === app).length !== 1)
  if (missing.length > 0) throw new Error(`deploy/nginx.conf must have exactly one "server <app>:8080 resolve;" line for: ${missing.join(', ')}`)
  return substituteListen(text, listen, 'deploy/nginx.conf')
}

/** `config` with its one `listen 80;` line listening at `listen`; throws, naming `file`, unless exactly one was replaced. */
export function substituteListen(config: string, listen: string, file: string): string {
  let listens = 0
  const text = config.replace(LISTEN_LINE, (_line, indent: string) => {
    listens += 1
    return `${indent}listen ${listen};`
  })
  if (listens !== 1) throw new Error(`${file} must have exactly one "listen 80;" line, found ${listens}`)
  return text
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('freePort: no TCP address')
  return address.port
}

/**
 * The top-level nginx.conf for running outside the container: pid, logs and temp paths under `prefix`,
 * then `httpSettings` and an `include` of `include` inside the http block.
 */
export function wrapperConfig(prefix: string, include: string, httpSettings: readonly string[] = []): string {
  return [
    'worker_processes 1;',
    `pid ${prefix}/nginx.pid;`,
    'error_log stderr notice;',
    'events { worker_connections 256; }',
    'http {',
    ...httpSettings.map((setting) => `  ${setting}`),
    `  access_log ${prefix}/access.log;`,
    `  client_body_temp_path ${prefix}/client_body_temp;`,
    `  proxy_temp_path ${prefix}/proxy_temp;`,
    `  fastcgi_temp_path ${prefix}/fastcgi_temp;`,
    `  uwsgi_temp_path ${prefix}/uwsgi_temp;`,
    `  scgi_temp_path ${prefix}/scgi_temp;`,
    `  include ${include};`,
    '}',
    '',
  ].join('\n')
}

/** Builds the wrapper nginx.conf of a prefix around the included file `include`. */
export type NginxWrapper = (prefix: string, include: string) => string

/**
 * Writes `config` as `prefix/includeName` and a `wrapper` nginx.conf that includes it, and returns the
 * nginx arguments that run that prefix (add `-t` to test it, or `-g 'daemon off;'` to serve).
 */
export async function writeNginxPrefix(prefix: string, includeName: string, config: string, wrapper: NginxWrapper = wrapperConfig): Promise<string[]> {
  const include = join(prefix, includeName)
  await writeFile(include, config)
  const main = join(prefix, 'nginx.conf')
  await writeFile(main, wrapper(prefix, include))
  return ['-p', prefix, '-e', 'stderr', '-c', main]
}

/** Pids whose parent is `pid` (nginx's workers), read from /proc. */
export function childPids(pid: number): number[] {
  const children: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (parent === pid) children.push(Number(entry))
    } catch {
      // The process ended while we looked.
    }
  }
  return children
}

/** An nginx serving one prefix written by writeNginxPrefix. */
export interface RunningNginx {
  /** http://127.0.0.1:PORT */
  readonly url: string
  readonly port: number
  readonly pid: number
  readonly exited: Promise<ProcessExit>
  /** The substituted config file that the wrapper includes. */
  readonly config: string
  accessLog(): Promise<string>
  output(): string
  stop(): Promise<ProcessExit>
}

/** deploy/nginx.conf in front of the apps; `config` is the substituted copy of it. */
export type NginxProxy = RunningNginx

export interface NginxLaunch {
  /** makeTempDir prefix of the nginx prefix directory. */
  readonly tempPrefix: string
  /** File name, inside the prefix, of the included config. */
  readonly includeName: string
  /** The included config, listening at `listen` (127.0.0.1:PORT). */
  readonly config: (listen: string) => string
  readonly wrapper?: NginxWrapper
  /** Path that answers 200 through nginx once it (and what it needs behind it) is ready. */
  readonly readyPath: string
  /** Tries, each on a new free port, while nginx fails with "Address already in use". */
  readonly attempts?: number
}

/** Debian's nginx in a temp prefix, serving `launch.config` on a free loopback port until stop(). */
export async function launchNginx(launch: NginxLaunch): Promise<RunningNginx> {
  const { tempPrefix, includeName, readyPath, wrapper = wrapperConfig, attempts = 3 } = launch
  const temp = await makeTempDir(tempPrefix)
  // Workers drop to an unprivileged user when the master runs as root: they must reach the prefix.
  await chmod(temp.path, 0o755)
  for (let attempt = 1; ; attempt++) {
    // A free port can be taken between probing and nginx's bind; nginx then exits, and we retry.
    const port = await freePort()
    const config = launch.config(`127.0.0.1:${port}`)
    const args = await writeNginxPrefix(temp.path, includeName, config, wrapper)
    const child = await startProcess(NGINX_BIN, [...args, '-g', 'daemon off;'])
    const url = `http://127.0.0.1:${port}`
    const exitedEarly = child.exited.then((exit) => {
      throw new Error(`nginx exited (code ${exit.code}, signal ${exit.signal}):\n${child.output().stderr}`)
    })
    exitedEarly.catch(() => {
      // Observed by the race below; exiting after a successful start is stop()'s doing.
    })
    try {
      await Promise.race([
        waitFor(async () => (await fetch(`${url}${readyPath}`)).status === 200, {
          timeoutMs: DEFAULT_NGINX_READY_TIMEOUT_MS,
          description: `nginx answering ${readyPath} on ${url}`,
        }),
        exitedEarly,
      ])
    } catch (error) {
      await child.stop()
      if (attempt < attempts && /Address already in use/.test(child.output().stderr)) continue
      await temp.cleanup()
      throw error
    }
    return {
      url,
      port,
      pid: child.pid,
      exited: child.exited,
      config,
      accessLog: () => readFile(join(temp.path, 'access.log'), 'utf8'),
      output: () => `--- nginx stderr ---\n${child.output().stderr}`,
      stop: async () => {
        const exit = await child.stop()
        await temp.cleanup()
        return exit
      },
    }
  }
}

/** deploy/nginx.conf in front of the apps at `upstreams` (host:port each), ready once its own health location answers. */
export async function startNginxProxy(upstreams: Record<LarderAppName, string>, attempts = 3): Promise<NginxProxy> {
  const source = await readFile(NGINX_CONFIG, 'utf8')
  return launchNginx({
    tempPrefix: 'larder-e2e-nginx-',
    includeName: 'larder.conf',
    config: (listen) => substituteUpstreams(source, upstreams, listen),
    readyPath: PROXY_HEALTH_PATH,
    attempts,
  })
}

/** Writes raw bytes to a port and returns everything read until the peer closes (or 5 s pass). */
export function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(raw))
    let received = ''
    socket.setTimeout(5000, () => socket.end())
    socket.on('data', (chunk) => (received += chunk.toString('latin1')))
    socket.on('close', () => resolve(received))
    socket.on('error', reject)
  })
}
