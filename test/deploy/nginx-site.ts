/**
 * Runs deploy/nginx-site.conf (the plain-host site file) with Debian's nginx in a temp prefix: only its
 * upstream `server 127.0.0.1:8080;` line and `listen 80;` are substituted, and a wrapper with the
 * http-level settings of Debian 12's /etc/nginx/nginx.conf (gzip on, sendfile, mime.types...) plus
 * pid, logs and temp paths under the prefix `include`s it, as Debian's includes sites-enabled/*.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, run, startProcess, waitFor, type ProcessExit, type RunResult } from '@larder/testkit'
import { REPO_ROOT } from './app-process.js'
import { DEFAULT_NGINX_READY_TIMEOUT_MS, freePort, NGINX_BIN } from './nginx-proxy.js'

export const NGINX_SITE_CONFIG = join(REPO_ROOT, 'deploy/nginx-site.conf')

const UPSTREAM_LINE = /^(\s*)server 127\.0\.0\.1:8080;[ \t]*$/gm
const LISTEN_LINE = /^(\s*)listen 80;[ \t]*$/gm

/** deploy/nginx-site.conf with its one upstream server at `upstream` and its one `listen` at `listen`; throws unless exactly one of each was replaced. */
export function substituteSite(config: string, upstream: string, listen: string): string {
  let servers = 0
  let text = config.replace(UPSTREAM_LINE, (_line, indent: string) => {
    servers += 1
    return `${indent}server ${upstream};`
  })
  if (servers !== 1) throw new Error(`deploy/nginx-site.conf must have exactly one "server 127.0.0.1:8080;" line, found ${servers}`)
  let listens = 0
  text = text.replace(LISTEN_LINE, (_line, indent: string) => {
    listens += 1
    return `${indent}listen ${listen};`
  })
  if (listens !== 1) throw new Error(`deploy/nginx-site.conf must have exactly one "listen 80;" line, found ${listens}`)
  return text
}

/** What Debian 12's nginx.conf sets around `include /etc/nginx/sites-enabled/*;`, with the paths moved under `prefix`. */
export function debianLikeWrapper(prefix: string, include: string): string {
  return [
    'worker_processes 1;',
    `pid ${prefix}/nginx.pid;`,
    'error_log stderr notice;',
    'events { worker_connections 256; }',
    'http {',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  types_hash_max_size 2048;',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    '  ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;',
    '  ssl_prefer_server_ciphers on;',
    `  access_log ${prefix}/access.log;`,
    '  gzip on;',
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

/** `nginx -t` of `site` (file text) inside the Debian-like wrapper. */
export async function nginxTestSite(site: string): Promise<RunResult> {
  const temp = await makeTempDir('larder-e2e-nginx-site-t-')
  try {
    const include = join(temp.path, 'larder')
    await writeFile(include, site)
    await writeFile(join(temp.path, 'nginx.conf'), debianLikeWrapper(temp.path, include))
    return await run(NGINX_BIN, ['-t', '-p', temp.path, '-e', 'stderr', '-c', join(temp.path, 'nginx.conf')], { timeoutMs: 30_000 })
  } finally {
    await temp.cleanup()
  }
}

export interface SiteNginx {
  /** http://127.0.0.1:PORT */
  readonly url: string
  readonly port: number
  readonly exited: Promise<ProcessExit>
  /** The substituted copy of deploy/nginx-site.conf that nginx runs. */
  readonly config: string
  output(): string
  stop(): Promise<ProcessExit>
}

/** Debian's nginx with deploy/nginx-site.conf in front of `upstream` (host:port), ready once `readyPath` answers 200 through it. */
export async function startSiteNginx(upstream: string, readyPath = '/healthz', attempts = 3): Promise<SiteNginx> {
  const temp = await makeTempDir('larder-e2e-nginx-site-')
  // Workers drop to an unprivileged user when the master runs as root: they must reach the prefix.
  await chmod(temp.path, 0o755)
  const source = await readFile(NGINX_SITE_CONFIG, 'utf8')
  for (let attempt = 1; ; attempt++) {
    // A free port can be taken between probing and nginx's bind; nginx then exits, and we retry.
    const port = await freePort()
    const config = substituteSite(source, upstream, `127.0.0.1:${port}`)
    const include = join(temp.path, 'larder')
    await writeFile(include, config)
    await writeFile(join(temp.path, 'nginx.conf'), debianLikeWrapper(temp.path, include))
    const child = await startProcess(NGINX_BIN, ['-p', temp.path, '-e', 'stderr', '-c', join(temp.path, 'nginx.conf'), '-g', 'daemon off;'])
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
      exited: child.exited,
      config,
      output: () => `--- nginx stderr ---\n${child.output().stderr}`,
      stop: async () => {
        const exit = await child.stop()
        await temp.cleanup()
        return exit
      },
    }
  }
}
