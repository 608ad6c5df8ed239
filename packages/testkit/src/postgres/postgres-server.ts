/** A real PostgreSQL 15 server on loopback for tests and benchmarks: a throwaway cluster in a temp dir, run as a child process (no systemd). */
import { randomBytes } from 'node:crypto'
import { chmod, chown, mkdir, readdir, readFile, readlink, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { run } from '../process/run.js'
import { startProcess, type StartedProcess } from '../process/start-process.js'
import { makeTempDir, type TempDir } from '../temp/temp-dir.js'
import { waitFor } from '../temp/wait-for.js'

/** Debian's postgresql-15 (server) and postgresql-client-15 (psql) put their binaries here. */
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin'
/** The OS user the server runs as when we are root: postgres refuses to run as root. */
export const POSTGRES_OS_USER = 'postgres'
export const DEFAULT_POSTGRES_READY_TIMEOUT_MS = 30_000
export const DEFAULT_POSTGRES_STOP_TIMEOUT_MS = 10_000
export const DEFAULT_INITDB_TIMEOUT_MS = 60_000
/** Durability off (nothing here outlives the test) and room for a connection pool per worker. */
export const DEFAULT_POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '200',
}

/** Another process can take the free port between our probe and the server's bind; then we try another. */
const PORT_ATTEMPTS = 5
const READY_LINE = /database system is ready to accept connections/
const PORT_IN_USE = /could not bind IPv4 address .*Address already in use/
/** Names that need no quoting in SQL or in a URL. */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export interface PostgresOptions {
  /** `-c name=value` settings over DEFAULT_POSTGRES_SETTINGS, e.g. `{ synchronous_commit: 'on' }` when kill() must not lose commits. */
  settings?: Record<string, string | number>
  binDir?: string
  readyTimeoutMs?: number
}

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth: no password). */
  readonly url: string
  readonly port: number
  /** Creates a fresh database (a random name by default) and returns its URL. */
  createDatabase(name?: string): Promise<string>
  /** The server log of every run so far, for failure messages. */
  output(): string
  /** Fast shutdown (clients are disconnected): an outage; the data stays. */
  stop(): Promise<void>
  /** Starts the server again after stop() or kill(), on the same port. */
  start(): Promise<void>
  /**
   * SIGKILLs the postmaster and its backends, like a crash: nothing is shut down cleanly and start() runs crash recovery.
   * With synchronous_commit=off the last few hundred ms of commits may be lost, as after a real crash.
   */
  kill(): Promise<void>
  /** Stops the server if running and removes its data. */
  cleanup(): Promise<void>
}

interface OsUser {
  uid: number
  gid: number
}

/** Servers still running, shut down if the test process exits without cleanup() (not when a signal ends it: no 'exit' event then). */
const livePostmasters = new Set<number>()
let exitHookInstalled = false

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const { binDir = POSTGRES_BIN_DIR, readyTimeoutMs = DEFAULT_POSTGRES_READY_TIMEOUT_MS } = options
  const settings = { ...DEFAULT_POSTGRES_SETTINGS, ...options.settings }
  const osUser = await postgresOsUser()
  const dir = await makeTempDir('larder-postgres-')
  const dataDir = join(dir.path, 'data')
  const socketDir = join(dir.path, 'run')
  const runs: StartedProcess[] = []
  let current: StartedProcess | undefined
  let port = 0

  const launch = async () => {
    const args = ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1']
    for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`)
    const proc = await startProcess(...asOsUser(osUser, join(binDir, 'postgres'), args), {
      cwd: dir.path,
      readyLine: READY_LINE,
      readyStream: 'stderr',
      readyTimeoutMs,
      // The ready and port-in-use lines are matched in English.
      env: { LC_ALL: 'C' },
    })
    runs.push(proc)
    current = proc
    trackPostmaster(proc.pid)
    void proc.exited.then(() => {
      livePostmasters.delete(proc.pid)
      if (current === proc) current = undefined
    })
  }
  const failed = (what: string, error: unknown) =>
    new Error(`${what} (data in ${dataDir}); the server's output says why:\n${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  // After a SIGKILL the backends outlive the postmaster briefly; a new postmaster refuses shared memory they still hold.
  const killLeftovers = () =>
    waitFor(
      async () => {
        const pids = await serverPids(dataDir)
        for (const pid of pids) signal(pid, 'SIGKILL')
        return pids.length === 0
      },
      { description: `the server processes of ${dataDir} to exit`, intervalMs: 10 },
    )

  try {
    await prepareDirs(dir, [dataDir, socketDir], osUser)
    await initdb(binDir, dataDir, dir.path, osUser)
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      try {
        await launch()
        break
      } catch (error) {
        if (attempt < PORT_ATTEMPTS && PORT_IN_USE.test(String(error))) continue
        throw failed('startPostgres: the server did not start', error)
      }
    }
  } catch (error) {
    await killLeftovers().catch(() => {})
    await dir.cleanup()
    throw error
  }

  const url = databaseUrl(port, 'postgres')
  const output = () => runs.map((proc) => proc.output().stderr + proc.output().stdout).join('--- restarted ---\n')
  const stop = async () => {
    const proc = current
    if (!proc) return
    // SIGINT is the fast shutdown; SIGTERM would be the smart one, which waits for every client to disconnect.
    proc.kill('SIGINT')
    const timer = setTimeout(() => proc.kill('SIGKILL'), DEFAULT_POSTGRES_STOP_TIMEOUT_MS)
    const exit = await proc.exited
    clearTimeout(timer)
    if (exit.signal === 'SIGKILL') {
      await killLeftovers()
      throw new Error(`PostgresServer.stop: no fast shutdown within ${DEFAULT_POSTGRES_STOP_TIMEOUT_MS} ms, so it was killed; its log:\n${output()}`)
    }
  }

  return {
    url,
    port,
    output,
    stop,
    start: async () => {
      if (current) return
      try {
        await launch()
      } catch (error) {
        await killLeftovers().catch(() => {})
        throw failed(`PostgresServer.start: the server did not start again on port ${port} (is another process using it now?)`, error)
      }
    },
    kill: async () => {
      const proc = current
      if (!proc) return
      // The postmaster goes first: alive, it would notice its backends dying and start new ones.
      proc.kill('SIGKILL')
      await proc.exited
      await killLeftovers()
    },
    cleanup: async () => {
      await stop().catch(() => {})
      await killLeftovers().catch(() => {})
      await dir.cleanup()
    },
    createDatabase: async (name = `test_${randomBytes(8).toString('hex')}`) => {
      if (!DATABASE_NAME.test(name)) {
        throw new TypeError(`createDatabase: "${name}" is not a plain database name (a lower-case letter or _, then letters, digits or _; at most 63)`)
      }
      if (!current) throw new Error('createDatabase: the server is stopped; call start() first')
      // FILE_COPY copies template1's few MB outright, faster here than WAL-logging them (fsync is off, so its checkpoints are cheap).
      const sql = `CREATE DATABASE ${name} STRATEGY FILE_COPY`
      const result = await run(join(binDir, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], {
        // Options from the caller's shell (PGOPTIONS) would apply to this session too.
        env: { PGOPTIONS: undefined },
      })
      if (result.code !== 0) {
        throw new Error(
          `createDatabase: CREATE DATABASE ${name} failed (psql exit ${result.code}): ${result.stderr.trim()}; server.output() has the server log`,
        )
      }
      return databaseUrl(port, name)
    },
  }
}

function databaseUrl(port: number, name: string): string {
  return `postgres://postgres@127.0.0.1:${port}/${name}`
}

/** The postgres user when we are root (the server must not run as root); nobody to switch to otherwise. */
async function postgresOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const entry = (await readFile('/etc/passwd', 'utf8')).split('\n').find((line) => line.startsWith(`${POSTGRES_OS_USER}:`))
  if (!entry) {
    throw new Error(`startPostgres: running as root, but there is no "${POSTGRES_OS_USER}" user to run the server as; install postgresql-15, which creates it`)
  }
  const [, , uid, gid] = entry.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

/**
 * setpriv rather than runuser: runuser forks and stays the parent, so our signals (SIGINT for a fast shutdown, SIGKILL
 * for a crash) would reach runuser, not the postmaster; setpriv execs, so the child we hold is the postmaster itself.
 */
function asOsUser(user: OsUser | undefined, command: string, args: string[]): [string, string[]] {
  if (!user) return [command, args]
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', command, ...args]]
}

async function prepareDirs(dir: TempDir, owned: string[], user: OsUser | undefined): Promise<void> {
  // postgres insists on a 0700 data dir it owns.
  for (const path of owned) await mkdir(path, { mode: 0o700 })
  if (!user) return
  for (const path of owned) await chown(path, user.uid, user.gid)
  // The postgres user only needs to pass through the temp dir and its parents.
  await chmod(dir.path, 0o711)
  for (let parent = dirname(dir.path); ; parent = dirname(parent)) {
    if (((await stat(parent)).mode & 0o001) === 0) {
      throw new Error(
        `startPostgres: the ${POSTGRES_OS_USER} user cannot enter ${parent}, a parent of the temp dir; point TMPDIR at a world-traversable dir such as /tmp`,
      )
    }
    if (parent === dirname(parent)) return
  }
}

async function initdb(binDir: string, dataDir: string, cwd: string, user: OsUser | undefined): Promise<void> {
  // The C locale exists everywhere (a minimal image may have no other) and sorts the same on every machine.
  const args = ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']
  const result = await run(...asOsUser(user, join(binDir, 'initdb'), args), { cwd, env: { LC_ALL: 'C' }, timeoutMs: DEFAULT_INITDB_TIMEOUT_MS })
  if (result.code !== 0) {
    throw new Error(
      `startPostgres: initdb failed (exit ${result.code}); is postgresql-15 installed in ${binDir}?\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    )
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('freePort: no port assigned'))))
    })
  })
}

/** Every server process chdirs into the data dir, and that link survives the reparenting after a postmaster crash. */
async function serverPids(dataDir: string): Promise<number[]> {
  const entries = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))
  const cwds = await Promise.all(entries.map((entry) => readlink(`/proc/${entry}/cwd`).catch(() => undefined)))
  return entries.filter((_, index) => cwds[index] === dataDir).map(Number)
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // Already gone.
  }
}

function trackPostmaster(pid: number): void {
  livePostmasters.add(pid)
  if (exitHookInstalled) return
  exitHookInstalled = true
  // SIGQUIT is the immediate shutdown: the postmaster ends its backends itself, after we are gone.
  process.once('exit', () => {
    for (const postmaster of livePostmasters) signal(postmaster, 'SIGQUIT')
  })
}
