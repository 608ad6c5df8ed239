/**
 * The primary of LARDER_WORKERS: forks the workers (one at a time, so start-up work such as making a
 * signing key happens once), restarts one that crashes, and keeps what must be one per host: the
 * lease book, the news of changed entries, and the publish event outbox with its webhook delivery.
 */
import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry } from 'prom-client'
import type { LarderConfig } from '../config/index.js'
import { openDatabase } from '../database/database.js'
import { LarderError } from '../errors/index.js'
import { publishEventsFromConfig, type EventInput } from '../events/index.js'
import type { Logger } from '../log/index.js'
import { LeaseBook } from './host-leases.js'
import { ipcCalls, type IpcCalls } from './ipc-calls.js'
import { WORKER_INDEX_VARIABLE } from './worker-role.js'

/** A worker that crashes is started again after this, doubling while it keeps crashing, up to the maximum. */
export const WORKER_RESTART_DELAY_MS = 1000
export const WORKER_RESTART_MAX_DELAY_MS = 30_000
/** A worker that ran this long before crashing was healthy: its next restart waits the shortest delay again. */
const HEALTHY_UPTIME_MS = 60_000

export interface PrimaryOptions {
  workers: number
  config: LarderConfig
  logger: Logger
}

interface LiveWorker {
  worker: Worker
  calls: IpcCalls
  index: number
  /** Set once the worker listens for the primary's calls (see connectToPrimary); before, it has no cache to tell. */
  ready: boolean
}

/** How long the other workers may take to forget a changed entry, or to hand over their metrics. */
export const WORKER_ANSWER_TIMEOUT_MS = 5000

export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { config, logger } = options
  // With a database the events are the cluster's table; the primary records and sends them for its workers.
  const database = config.databaseUrl ? openDatabase({ url: config.databaseUrl, poolSize: 2 }) : undefined
  const events = publishEventsFromConfig(config, logger, undefined, database)
  await events.startDelivery()
  const leases = new LeaseBook()
  const live = new Map<number, LiveWorker>()
  const restartDelays = new Map<number, number>()
  let stopping = false
  let port = config.port

  const readyWorkers = () => [...live.values()].filter((other) => other.ready)
  const handlers = (self: number) => ({
    'worker.ready': () => {
      const me = live.get(self)
      if (me) me.ready = true
    },
    'lease.acquire': async ({ key }: { key: string }) => {
      // A call still queued from a worker that has exited: a lease granted now would never be given back.
      if (!live.has(self)) throw new LarderError('E_INTERNAL', 'the worker has exited')
      const token = await leases.acquire(self, key)
      if (!live.has(self)) leases.release(token)
      return token
    },
    'lease.release': ({ token }: { token: number }) => leases.release(token),
    // Settles once every other worker has forgotten the key: the writer answers its client only then. A worker
    // that cannot answer in time is stuck or dying; it is not waited for forever.
    'entry.changed': async ({ key }: { key: string }) => {
      const others = readyWorkers().filter((other) => other.worker.id !== self)
      await Promise.all(
        others.map((other) =>
          other.calls.call('entry.forget', { key }, { timeoutMs: WORKER_ANSWER_TIMEOUT_MS }).catch((err: Error) => {
            logger.warn({ worker: other.index, key, reason: err.message }, `worker ${other.index} did not confirm it forgot ${key}`)
          }),
        ),
      )
    },
    'events.record': (input: EventInput) => events.record(input),
    'events.list': ({ since, limit }: { since: string; limit: number }) => events.list(since || undefined, limit),
    // Counters and histograms add up across workers; gauges follow each metric's own aggregator (sum by default).
    'metrics.host': async () => {
      const each = await Promise.all(
        readyWorkers().map((other) => other.calls.call<unknown[]>('metrics.json', undefined, { timeoutMs: WORKER_ANSWER_TIMEOUT_MS }).catch(() => [])),
      )
      return AggregatorRegistry.aggregate(each).metrics()
    },
  })

  const start = (index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const startedAt = Date.now()
      const worker = cluster.fork({ [WORKER_INDEX_VARIABLE]: String(index) })
      const entry: LiveWorker = { worker, calls: ipcCalls(worker, handlers(worker.id)), index, ready: false }
      live.set(worker.id, entry)
      let listening = false
      worker.once('listening', (address) => {
        port = address.port
        listening = true
        resolve()
      })
      worker.once('exit', (code, signal) => {
        live.delete(worker.id)
        leases.releaseOwner(worker.id)
        entry.calls.abandon(`worker ${index} exited`)
        if (stopping) return resolve()
        if (!listening) {
          // It never served: a bad setting or a port in use, which a restart would only repeat.
          return reject(Object.assign(new Error(`worker ${index} exited (${signal ?? code}) before it listened`), { exitCode: code ?? 1 }))
        }
        const uptime = Date.now() - startedAt
        const delay = uptime > HEALTHY_UPTIME_MS ? WORKER_RESTART_DELAY_MS : (restartDelays.get(index) ?? WORKER_RESTART_DELAY_MS)
        restartDelays.set(index, Math.min(delay * 2, WORKER_RESTART_MAX_DELAY_MS))
        logger.error({ worker: index, code, signal, restartInMs: delay }, `worker ${index} exited (${signal ?? code}); starting it again in ${delay} ms`)
        restart(index, delay)
      })
    })

  /** Starts worker `index` again after `delay`, and again with a longer one for as long as it fails to start. */
  const restart = (index: number, delay: number) => {
    setTimeout(() => {
      if (stopping) return
      start(index).catch((err: Error) => {
        const next = Math.min(delay * 2, WORKER_RESTART_MAX_DELAY_MS)
        logger.error({ worker: index, err, restartInMs: next }, `worker ${index} could not start again (${err.message}); trying again in ${next} ms`)
        restart(index, next)
      })
    }, delay)
  }

  const stop = (exitCode: number) => {
    if (stopping) return
    stopping = true
    for (const { worker } of live.values()) worker.process.kill('SIGTERM')
    const finish = async () => {
      if (live.size > 0) return
      await events.close()
      await database?.close()
      process.exit(exitCode)
    }
    cluster.on('exit', () => void finish())
    void finish()
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))

  try {
    for (let index = 1; index <= options.workers; index++) await start(index)
  } catch (err) {
    stop((err as { exitCode?: number }).exitCode ?? 1)
    return
  }
  logger.info({ workers: options.workers, port }, `${options.workers} workers listening on http://${config.host}:${port}`)
}
