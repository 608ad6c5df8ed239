/**
 * Runs deploy/nginx-site.conf (the plain-host site file) with Debian's nginx in a temp prefix: only its
 * upstream `server 127.0.0.1:8080;` line and `listen 80;` are substituted, and a wrapper with the
 * http-level settings of Debian 12's /etc/nginx/nginx.conf (gzip on, sendfile, mime.types...) plus
 * pid, logs and temp paths under the prefix `include`s it, as Debian's includes sites-enabled/*.
 * Prefix layout and process handling are nginx-proxy.ts's.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, run, type RunResult } from '@larder/testkit'
import { REPO_ROOT } from './app-process.js'
import { launchNginx, NGINX_BIN, substituteListen, wrapperConfig, writeNginxPrefix, type RunningNginx } from './nginx-proxy.js'

export const NGINX_SITE_CONFIG = join(REPO_ROOT, 'deploy/nginx-site.conf')

const UPSTREAM_LINE = /^(\s*)server 127\.0\.0\.1:8080;[ \t]*$/gm

/** deploy/nginx-site.conf with its one upstream server at `upstream` and its one `listen` at `listen`; throws unless exactly one of each was replaced. */
export function substituteSite(config: string, upstream: string, listen: string): string {
  let servers = 0
  const text = config.replace(UPSTREAM_LINE, (_line, indent: string) => {
    servers += 1
    return `${indent}server ${upstream};`
  })
  if (servers !== 1) throw new Error(`deploy/nginx-site.conf must have exactly one "server 127.0.0.1:8080;" line, found ${servers}`)
  return substituteListen(text, listen, 'deploy/nginx-site.conf')
}

/** The http-level settings of Debian 12's nginx.conf that bear on a site (logs and temp paths are the wrapper's own). */
const DEBIAN_HTTP_SETTINGS = [
  'sendfile on;',
  'tcp_nopush on;',
  'types_hash_max_size 2048;',
  'include /etc/nginx/mime.types;',
  'default_type application/octet-stream;',
  'ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;',
  'ssl_prefer_server_ciphers on;',
  'gzip on;',
]

/** What Debian 12's nginx.conf sets around `include /etc/nginx/sites-enabled/*;`, with the paths moved under `prefix`. */
export function debianLikeWrapper(prefix: string, include: string): string {
  return wrapperConfig(prefix, include, DEBIAN_HTTP_SETTINGS)
}

/** `nginx -t` of `site` (file text) inside the Debian-like wrapper. */
export async function nginxTestSite(site: string): Promise<RunResult> {
  const temp = await makeTempDir('larder-e2e-nginx-site-t-')
  try {
    const args = await writeNginxPrefix(temp.path, 'larder', site, debianLikeWrapper)
    return await run(NGINX_BIN, ['-t', ...args], { timeoutMs: 30_000 })
  } finally {
    await temp.cleanup()
  }
}

/** deploy/nginx-site.conf in front of the all-in-one server; `config` is the substituted copy of it. */
export type SiteNginx = RunningNginx

/** Debian's nginx with deploy/nginx-site.conf in front of `upstream` (host:port), ready once `readyPath` answers 200 through it. */
export async function startSiteNginx(upstream: string, readyPath = '/healthz', attempts = 3): Promise<SiteNginx> {
  const source = await readFile(NGINX_SITE_CONFIG, 'utf8')
  return launchNginx({
    tempPrefix: 'larder-e2e-nginx-site-',
    includeName: 'larder',
    config: (listen) => substituteSite(source, upstream, listen),
    wrapper: debianLikeWrapper,
    readyPath,
    attempts,
  })
}
