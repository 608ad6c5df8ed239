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
  const dir = join(workDir, 'nginx')
  await mkdir(join(dir, 'temp'), { recursive: true })
  // Run as root, nginx hands its worker to `nobody`, which cannot read a private temp dir.
  const user = process.getuid?.() === 0 ? 'user root;\n' : ''
  const config = `daemon off;
${user}worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  default_type application/octet-stream;
  client_body_temp_path ${join(dir, 'temp')};
  proxy_temp_path ${join(dir, 'temp')};
  fastcgi_temp_path ${join(dir, 'temp')};
  uwsgi_temp_path ${join(dir, 'temp')};
  scgi_temp_path ${join(dir, 'temp')};
  server {
    listen ${HOST}:${port};
    root ${root};
  }
}
`
  const configPath = join(dir, 'nginx.conf')
  await writeFile(configPath, config)
  const child = await startProcess('taskset', ['-c', String(cpu), NGINX_BINARY, '-c', configPath, '-p', dir, '-e', join(dir, 'error.log')], {})
  const url = `http://${HOST}:${port}`
  await waitFor(async () => (await fetchOnce(`${url}/`).catch(() => ({ status: 0 }))).status !== 0, {
    timeoutMs: NGINX_READY_TIMEOUT_MS,
    description: `nginx ready on ${url}`,
  })
  const workerPid = await nginxWorkerPid(child.pid)
  return { name: 'nginx', url, pid: workerPid, stop: () => child.stop(), output: child.output }
}

/** The one worker does the serving: its CPU time is what compares with Larder's. */
async function nginxWorkerPid(masterPid) {
  const children = await readFile(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').catch(() => '')
  const first = children.trim().split(/\s+/)[0]
  return first ? Number(first) : masterPid
}
