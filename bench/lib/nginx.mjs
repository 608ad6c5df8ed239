/** nginx as the reference: one worker, sendfile on, tcp_nopush off, no access log, serving a directory, pinned to a core. */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startProcess, waitFor } from '@larder/testkit'
import { fetchOnce } from './load.mjs'
import { HOST, freePort } from './processes.mjs'

export const NGINX_BINARY = '/usr/sbin/nginx'
export const NGINX_READY_TIMEOUT_MS = 10_000

/** Starts nginx on `root` under `taskset -c <cpu>`; the config lives in `<workDir>/nginx`. */
export async function startNginx({ root, workDir, cpu }) {
  const port = await freePort()
  const http = `  sendfile on;
  tcp_nopush off;
  keepalive_timeout 60s;
  default_type application/octet-stream;
  server {
    listen ${HOST}:${port};
    root ${root};
  }`
  const url = `http://${HOST}:${port}`
  const child = await runNginx({ dir: join(workDir, 'nginx'), http, cpu, readyUrl: `${url}/` })
  const workerPid = await nginxWorkerPid(child.pid)
  return { name: 'nginx', url, pid: workerPid, stop: () => child.stop(), output: child.output }
}

/**
 * Runs nginx (one worker, no access log) with `http` inside its http block, from `dir`, pinned to `cpu` if
 * given; resolves once `readyUrl` answers at all.
 */
export async function runNginx({ dir, http, cpu, readyUrl }) {
  await mkdir(join(dir, 'temp'), { recursive: true })
  // Run as root, nginx hands its worker to `nobody`, which cannot read a private temp dir.
  const user = process.getuid?.() === 0 ? 'user root;\n' : ''
  const temp = join(dir, 'temp')
  const config = `daemon off;
${user}worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${temp};
  proxy_temp_path ${temp};
  fastcgi_temp_path ${temp};
  uwsgi_temp_path ${temp};
  scgi_temp_path ${temp};
${http}
}
`
  const configPath = join(dir, 'nginx.conf')
  await writeFile(configPath, config)
  const command = [NGINX_BINARY, '-c', configPath, '-p', dir, '-e', join(dir, 'error.log')]
  const [file, ...args] = cpu === undefined ? command : ['taskset', '-c', String(cpu), ...command]
  const child = await startProcess(file, args, {})
  await waitFor(async () => (await fetchOnce(readyUrl).catch(() => ({ status: 0 }))).status !== 0, {
    timeoutMs: NGINX_READY_TIMEOUT_MS,
    description: `nginx ready on ${readyUrl}`,
  })
  return child
}

/** The one worker does the serving: its CPU time is what compares with Larder's. */
async function nginxWorkerPid(masterPid) {
  const children = await readFile(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').catch(() => '')
  const first = children.trim().split(/\s+/)[0]
  return first ? Number(first) : masterPid
}
