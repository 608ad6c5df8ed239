/** A real single-node Ceph 16 cluster (mon, mgr, memstore OSD) with the RADOS Gateway's S3 API on loopback, run as child processes (no systemd). */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { run } from '../process/run.js'
import { startProcess, type StartedProcess } from '../process/start-process.js'
import { makeTempDir } from '../temp/temp-dir.js'
import { waitFor } from '../temp/wait-for.js'

/** Debian's ceph-mon, ceph-mgr, ceph-osd, radosgw and ceph-common put their binaries here. */
export const CEPH_BIN_DIR = '/usr/bin'
/** Startup is about 3 s on an idle machine; the rest is room for a loaded CI box. */
export const DEFAULT_CEPH_READY_TIMEOUT_MS = 60_000
/** The OSD keeps every object in RAM; this caps it (writes stop at 95% full), so a benchmark that needs more must say so. */
export const DEFAULT_MEMSTORE_BYTES = 1024 * 1024 * 1024
/** RGW signs with whatever region the client's credential scope names; us-east-1 is the one SDKs send no LocationConstraint for. */
export const CEPH_RGW_REGION = 'us-east-1'
/** The S3 user created in every cluster. */
export const CEPH_RGW_USER = 'larder'

/** Another process can take a probed free port before a daemon binds it; then the whole cluster is built again on new ports. */
const PORT_ATTEMPTS = 3
const PORT_IN_USE = /Address already in use/
/** A single CLI call (the ceph tool, radosgw-admin) against a cluster that is up takes well under a second. */
const CLI_TIMEOUT_MS = 30_000
/** How much of each daemon's log file output() shows: the end, where the failure is. */
const LOG_TAIL_BYTES = 32 * 1024
const POLL_INTERVAL_MS = 50
const PROBE_TIMEOUT_MS = 2_000
/** util-linux's setpriv, for --pdeathsig. */
const SETPRIV = '/usr/bin/setpriv'
const MON_ID = 'a'
const MGR_ID = 'x'
const OSD_ID = '0'
const RGW_NAME = 'client.rgw'

export interface CephRgwOptions {
  /** Progress of the startup (one line a step, with its time); nothing is printed without it. */
  log?: (message: string) => void
  /** The OSD's memstore size in bytes. */
  memstoreBytes?: number
  /** Extra `[global]` ceph.conf settings, over the fixture's (e.g. `{ 'debug rgw': 20 }` to see how RGW handles a request). */
  settings?: Record<string, string | number>
  /** For the whole startup, from the temp dir to the S3 user answering. */
  readyTimeoutMs?: number
}

export interface CephRgw {
  /** http://127.0.0.1:PORT, path-style only (no `rgw dns name`): clients need forcePathStyle. */
  readonly endpoint: string
  readonly region: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** The temp dir holding ceph.conf, the daemons' data and logs (`log/`), for `ceph -c DIR/ceph.conf ...` while debugging. */
  readonly dir: string
  /** Each daemon's stderr and the end of its log file, for failure messages. */
  output(): string
  /** Kills every daemon (an outage); the memstore contents are gone, so there is no start() again. */
  stop(): Promise<void>
  /** Stops the daemons if running and removes the temp dir. */
  cleanup(): Promise<void>
}

interface Daemon {
  name: string
  proc: StartedProcess
}

/** Daemons still running, killed if the test process exits without cleanup() (a SIGKILLed process cannot). */
const liveDaemons = new Set<number>()
let exitHookInstalled = false

export async function startCephRgw(options: CephRgwOptions = {}): Promise<CephRgw> {
  const { readyTimeoutMs = DEFAULT_CEPH_READY_TIMEOUT_MS } = options
  if (!(readyTimeoutMs > 0)) throw new TypeError('readyTimeoutMs must be a positive number')
  const deadline = Date.now() + readyTimeoutMs
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCluster(options, deadline)
    } catch (error) {
      if (attempt < PORT_ATTEMPTS && Date.now() < deadline && PORT_IN_USE.test(String(error))) {
        options.log?.(`ceph: a port was taken meanwhile; starting again on new ports (attempt ${attempt + 1})`)
        continue
      }
      throw error
    }
  }
}

async function startCluster(options: CephRgwOptions, deadline: number): Promise<CephRgw> {
  const { log = () => {}, memstoreBytes = DEFAULT_MEMSTORE_BYTES, settings = {} } = options
  const started = Date.now()
  const step = (what: string) => log(`ceph: ${what} after ${Date.now() - started} ms`)
  const dir = await makeTempDir('larder-ceph-')
  const confPath = join(dir.path, 'ceph.conf')
  const daemons: Daemon[] = []
  let stopping = false
  let rejectExit: (error: Error) => void = () => {}
  // Settles only if a daemon dies before stop(): every wait races it, so a crash fails the startup at once, not at the deadline.
  const daemonDied = new Promise<never>((_, reject) => (rejectExit = reject))
  daemonDied.catch(() => {})

  const output = () => daemons.map((daemon) => daemonOutput(dir.path, daemon)).join('\n')
  const remaining = () => Math.max(1, deadline - Date.now())
  // CEPH_CONF or CEPH_ARGS from the caller's shell would point the tools at another cluster.
  const env = { CEPH_CONF: undefined, CEPH_ARGS: undefined, LC_ALL: 'C' }
  const cli = async (command: string, args: string[]) => {
    const result = await Promise.race([
      run(join(CEPH_BIN_DIR, command), ['-c', confPath, ...args], { env, cwd: dir.path, timeoutMs: Math.min(CLI_TIMEOUT_MS, remaining()) }),
      daemonDied,
    ])
    if (result.code !== 0) {
      throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr.trim() || result.stdout.trim()}`)
    }
    return result.stdout
  }
  const spawnDaemon = async (name: string, command: string, args: string[]) => {
    // -f: foreground, logging to the log file in the temp dir; errors also go to stderr.
    const [file, argv] = withParentDeathSignal(join(CEPH_BIN_DIR, command), ['-f', '-c', confPath, ...args])
    const proc = await startProcess(file, argv, { env, cwd: dir.path })
    daemons.push({ name, proc })
    trackDaemon(proc.pid)
    // The mgr starts off the critical path and can come up after a failed startup already called stop().
    if (stopping) proc.kill('SIGKILL')
    void proc.exited.then((exit) => {
      liveDaemons.delete(proc.pid)
      if (!stopping) rejectExit(new Error(`${name} exited (code ${exit.code}, signal ${exit.signal})`))
    })
  }
  const stop = async () => {
    stopping = true
    // SIGKILL, not SIGTERM: a memstore OSD shutting down cleanly first writes every object it holds to disk.
    for (const daemon of daemons) daemon.proc.kill('SIGKILL')
    await Promise.all(daemons.map((daemon) => daemon.proc.exited))
  }

  try {
    const [monPort, rgwPort] = (await freePorts(2)) as [number, number]
    const endpoint = `http://127.0.0.1:${rgwPort}`
    const fsid = randomUUID()
    // ceph-osd --mkfs asserts (in MemStore::set_fsid) rather than create its data dir; the mgr aborts without its module dir.
    for (const sub of [`mon/${MON_ID}`, `mgr/${MGR_ID}`, `osd/${OSD_ID}`, 'run', 'log', 'crash', 'rgw', 'no-mgr-modules']) {
      await mkdir(join(dir.path, sub), { recursive: true })
    }
    await writeFile(confPath, cephConf(dir.path, fsid, monPort, rgwPort, memstoreBytes, settings))

    await cli('monmaptool', ['--create', '--fsid', fsid, '--addv', MON_ID, `[v2:127.0.0.1:${monPort}]`, join(dir.path, 'monmap')])
    await cli('ceph-mon', ['--mkfs', '-i', MON_ID, '--monmap', join(dir.path, 'monmap')])
    await spawnDaemon(`mon.${MON_ID}`, 'ceph-mon', ['-i', MON_ID])
    const osdUuid = randomUUID()
    const ceph = (args: string[]) => cli('ceph', ['--connect-timeout', String(Math.ceil(remaining() / 1000)), ...args])
    const [, osdId] = await Promise.all([
      // The mgr runs without its Python modules (see cephConf) and reports that as MGR_MODULE_ERROR; muted, `ceph -s`
      // says HEALTH_OK. Nothing waits for the mgr.
      ceph(['health', 'mute', 'MGR_MODULE_ERROR', '--sticky']).then(() => spawnDaemon(`mgr.${MGR_ID}`, 'ceph-mgr', ['-i', MGR_ID])),
      ceph(['osd', 'new', osdUuid]),
    ])
    if (osdId.trim() !== OSD_ID) throw new Error(`ceph osd new gave OSD id ${osdId.trim()}, expected ${OSD_ID} in a fresh cluster`)
    step('mon up, OSD registered')
    await cli('ceph-osd', ['--mkfs', '-i', OSD_ID, '--osd-uuid', osdUuid])
    await spawnDaemon(`osd.${OSD_ID}`, 'ceph-osd', ['-i', OSD_ID])
    // RGW waits for the OSD by itself, then creates its pools and zone; it listens only once that is done.
    await spawnDaemon(RGW_NAME, 'radosgw', ['-n', RGW_NAME])
    await until(() => probe(endpoint), 'RGW to answer HTTP', remaining(), daemonDied)
    step('RGW answering')

    const accessKeyId = randomKey(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
    const secretAccessKey = randomKey(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
    await cli('radosgw-admin', [
      'user',
      'create',
      `--uid=${CEPH_RGW_USER}`,
      `--display-name=${CEPH_RGW_USER}`,
      `--access-key=${accessKeyId}`,
      `--secret=${secretAccessKey}`,
    ])
    const creds = { endpoint, accessKeyId, secretAccessKey }
    await until(() => signedListBuckets(creds), `the S3 user ${CEPH_RGW_USER} to list buckets`, remaining(), daemonDied)
    step('S3 user works')

    return {
      endpoint,
      region: CEPH_RGW_REGION,
      accessKeyId,
      secretAccessKey,
      dir: dir.path,
      output,
      stop,
      cleanup: async () => {
        await stop()
        await dir.cleanup()
      },
    }
  } catch (error) {
    const logs = output()
    await stop().catch(() => {})
    await dir.cleanup()
    const reason = error instanceof Error ? error.message : String(error)
    const hint = /cannot start|ENOENT/.test(reason)
      ? `install Debian's ceph-mon, ceph-mgr, ceph-osd, radosgw and ceph-common (Ceph 16) so that ${CEPH_BIN_DIR} has them`
      : `a daemon that exited says why below; a timeout on a loaded machine wants more than readyTimeoutMs ${options.readyTimeoutMs ?? DEFAULT_CEPH_READY_TIMEOUT_MS}`
    throw new Error(`startCephRgw: the cluster did not come up: ${reason}\n(${hint}). The daemons said:\n${logs}`, { cause: error })
  }
}

/**
 * The cluster's whole configuration: nothing is read from /etc/ceph or written to /var/lib/ceph, /var/log/ceph or /run/ceph.
 * `$name` and `$id` are expanded by Ceph, per daemon.
 */
function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number, memstoreBytes: number, extra: Record<string, string | number>): string {
  const settings: Record<string, string | number> = {
    fsid,
    // msgr2 only: one port for the mon, and no legacy v1 listener to collide with another cluster's.
    'mon host': `v2:127.0.0.1:${monPort}`,
    'ms bind msgr1': 'false',
    'public addr': '127.0.0.1',
    'cluster addr': '127.0.0.1',
    // No cephx: nothing to keep secret on loopback, and no keyrings to generate and hand to each daemon and tool.
    'auth cluster required': 'none',
    'auth service required': 'none',
    'auth client required': 'none',
    // radosgw defaults to a "secure" mon connection, which without cephx fails with EACCES (-13) forever.
    'ms mon client mode': 'crc',
    keyring: `${dir}/keyring`,
    'run dir': `${dir}/run`,
    'admin socket': `${dir}/run/$name.asok`,
    'log file': `${dir}/log/$name.log`,
    'crash dir': `${dir}/crash`,
    'mon data': `${dir}/mon/$id`,
    'mgr data': `${dir}/mgr/$id`,
    'osd data': `${dir}/osd/$id`,
    'rgw data': `${dir}/rgw`,
    // The mon appends its cluster and audit logs to /var/log/ceph otherwise.
    'mon cluster log to file': 'false',
    'mon cluster log file': `${dir}/log/$cluster.$channel.log`,
    // Every map change (each pool RGW creates) waits this long for more changes to batch: 1 s by default, 10 s of startup.
    'paxos propose interval': '0.1',
    // The mon shuts down below mon_data_avail_crit (5%) free disk, and warns below 30%: neither is about this cluster.
    'mon data avail warn': '1',
    'mon data avail crit': '0',
    'mon warn on insecure global id reclaim allowed': 'false',
    'mon warn on pool no redundancy': 'false',
    // Health changes would go to the cluster log, and the muted MGR_MODULE_ERROR to the mon's stderr as an [ERR]; `ceph health` still has them.
    'mon health to clog': 'false',
    'mon allow pool size one': 'true',
    'mon allow pool delete': 'true',
    'osd pool default size': '1',
    'osd pool default min size': '1',
    'osd pool default pg num': '8',
    'osd pool default pgp num': '8',
    'osd pool default pg autoscale mode': 'off',
    'osd crush chooseleaf type': '0',
    // Objects live in the OSD's RAM; no block device, no fsync.
    'osd objectstore': 'memstore',
    'memstore device bytes': String(memstoreBytes),
    // The mgr's Python modules (dashboard-less, but ten always-on ones) cost ~270 MB of RSS and nothing here uses them;
    // an empty module dir loads none. The mgr itself still serves `ceph -s` / `ceph df` statistics.
    'mgr module path': `${dir}/no-mgr-modules`,
    // RocksDB (the mon's store) dumps its options at level 4, which would fill the log tail output() shows.
    'debug rocksdb': '1/5',
    'rgw frontends': `beast endpoint=127.0.0.1:${rgwPort}`,
    'rgw enable usage log': 'false',
    ...extra,
  }
  const lines = Object.entries(settings).map(([key, value]) => `${key} = ${value}`)
  return `[global]\n${lines.join('\n')}\n`
}

function freePorts(count: number): Promise<number[]> {
  // All held open at once, so the ports differ from each other.
  const servers: Server[] = []
  const listen = () =>
    new Promise<number>((resolve, reject) => {
      const server = createServer()
      servers.push(server)
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('freePorts: no port assigned'))
      })
    })
  const close = () => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return Promise.all(Array.from({ length: count }, listen)).finally(close)
}

async function until(predicate: () => Promise<boolean>, description: string, timeoutMs: number, daemonDied: Promise<never>): Promise<void> {
  await Promise.race([waitFor(predicate, { timeoutMs, intervalMs: POLL_INTERVAL_MS, description }), daemonDied])
}

/** Any HTTP answer will do: RGW listens only after its zone and pools are ready. */
async function probe(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })
  await response.arrayBuffer()
  return true
}

/** ListBuckets signed with SigV4, as an SDK would: proves the user exists and RGW accepts its keys. */
async function signedListBuckets(creds: { endpoint: string; accessKeyId: string; secretAccessKey: string }): Promise<boolean> {
  const host = new URL(creds.endpoint).host
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
  const day = amzDate.slice(0, 8)
  const payloadHash = sha256('')
  const signedHeaders = 'host;x-amz-content-sha256;x-amz-date'
  const canonicalRequest = [
    'GET',
    '/',
    '',
    `host:${host}`,
    `x-amz-content-sha256:${payloadHash}`,
    `x-amz-date:${amzDate}`,
    '',
    signedHeaders,
    payloadHash,
  ].join('\n')
  const scope = `${day}/${CEPH_RGW_REGION}/s3/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n')
  let key: Buffer = Buffer.from(`AWS4${creds.secretAccessKey}`)
  for (const part of [day, CEPH_RGW_REGION, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest()
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex')
  const response = await fetch(`${creds.endpoint}/`, {
    headers: {
      'x-amz-date': amzDate,
      'x-amz-content-sha256': payloadHash,
      authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  })
  const body = await response.text()
  if (response.status !== 200) throw new Error(`ListBuckets answered ${response.status}: ${body}`)
  return true
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function randomKey(length: number, alphabet: string): string {
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('')
}

function daemonOutput(dir: string, daemon: Daemon): string {
  const { stdout, stderr } = daemon.proc.output()
  return `--- ${daemon.name} stderr ---\n${stderr}${stdout}--- ${daemon.name} log (end) ---\n${tail(join(dir, 'log', `${daemon.name}.log`))}`
}

/** The last LOG_TAIL_BYTES of a file; empty once cleanup() removed it. */
function tail(path: string): string {
  try {
    const size = statSync(path).size
    const length = Math.min(size, LOG_TAIL_BYTES)
    const buffer = Buffer.alloc(length)
    const fd = openSync(path, 'r')
    try {
      readSync(fd, buffer, 0, length, size - length)
    } finally {
      closeSync(fd)
    }
    return buffer.toString('utf8')
  } catch {
    return ''
  }
}

/**
 * The exit hook below cannot run when the test process is SIGKILLed or dies of a signal; the kernel's parent-death signal
 * still ends the daemons then, instead of leaving a cluster holding its memstore in RAM. setpriv execs, so the pid we
 * hold is the daemon's own.
 */
function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  if (!existsSync(SETPRIV)) return [command, args]
  return [SETPRIV, ['--pdeathsig', 'SIGKILL', command, ...args]]
}

function trackDaemon(pid: number): void {
  liveDaemons.add(pid)
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const pid of liveDaemons) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  })
}
