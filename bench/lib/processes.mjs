/** Starts the two servers under test as child processes, so their memory can be read from /proc. */
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { startProcess, waitFor } from '@larder/testkit'
import { fetchOnce } from './load.mjs'

export const HOST = '127.0.0.1'
export const READY_TIMEOUT_MS = 30_000
const LARDER_MAIN = fileURLToPath(new URL('../../apps/server/dist/main.js', import.meta.url))
/** The flags `npm start`, the image (NODE_OPTIONS) and the systemd unit run Larder with. */
const LARDER_NODE_FLAGS = ['--max-semi-space-size=4']
const STATIC_SERVER = fileURLToPath(new URL('./static-server.mjs', import.meta.url))

/**
 * Larder with LARDER_LOG_LEVEL=warn by default (one info line per request would tax both CPUs), which also
 * hides the "listening" line: so it gets a port picked here and is ready once /readyz answers 200.
 * `nodeArgs` go before the script (e.g. `--import` a probe, `--cpu-prof`); `env` adds variables; `cpu` pins it with taskset.
 */
export async function startLarder({ dataDir, npmUpstream, nodeArgs = [], env = {}, cpu, logLevel = 'warn', logFile }) {
  const port = await freePort()
  const command = [process.execPath, ...LARDER_NODE_FLAGS, ...nodeArgs, LARDER_MAIN]
  // taskset execs the command, so the child's pid is Larder's own.
  const pinned = cpu === undefined ? command : ['taskset', '-c', String(cpu), ...command]
  // A log file instead of a pipe: this process reading 30,000 lines a second would steal the load generator's core.
  const [file, ...args] = logFile === undefined ? pinned : ['sh', '-c', 'exec "$@" >"$LARDER_BENCH_LOG"', 'sh', ...pinned]
  const child = await startProcess(file, args, {
    env: {
      ...(logFile === undefined ? {} : { LARDER_BENCH_LOG: logFile }),
      HOST,
      PORT: String(port),
      LARDER_DATA_DIR: dataDir,
      LARDER_NPM_UPSTREAM: npmUpstream,
      LARDER_LOG_LEVEL: logLevel,
      // One process, pinned to one core, unless a benchmark asks for workers.
      LARDER_WORKERS: '1',
      // Packuments stay fresh for the whole run: revalidation is not what these benchmarks measure.
      LARDER_INDEX_TTL_SECONDS: '3600',
      ...env,
    },
  })
  const url = `http://${HOST}:${port}`
  try {
    await waitFor(async () => (await fetchOnce(`${url}/readyz`)).status === 200, {
      timeoutMs: READY_TIMEOUT_MS,
      description: `Larder ready on ${url}`,
    })
  } catch (error) {
    await child.stop()
    const { stdout, stderr } = child.output()
    throw new Error(`Larder did not start:\n${stdout}\n${stderr}`, { cause: error })
  }
  return { name: 'larder', url, pid: child.pid, stop: () => child.stop(), output: child.output }
}

/** The reference static server on `root`, as its own process like Larder. */
export async function startReference(root, { nodeArgs = [], env = {} } = {}) {
  const child = await startProcess(process.execPath, [...nodeArgs, STATIC_SERVER, root], {
    env,
    readyLine: /"port":(\d+)/,
    readyTimeoutMs: READY_TIMEOUT_MS,
  })
  const url = `http://${HOST}:${child.ready[1]}`
  return { name: 'reference', url, pid: child.pid, stop: () => child.stop(), output: child.output }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}
