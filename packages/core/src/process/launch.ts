/** Starts a Larder process: configuration (the mirrors' settings included), services, the HTTP server with its client timeouts, and shutdown. */
import cluster from 'node:cluster'
import type { Server } from 'node:http'
import { Hono } from 'hono'
import { loadConfig, type Env, type LarderConfig } from '../config/index.js'
import { isLarderError } from '../errors/index.js'
import { composeMirrors, type AnyMirrorDeclaration, type ComposedMirrors } from '../mirror/index.js'
import { scheduleEviction, scheduleGarbageCollection, watchStoreGauges } from '../maintenance/index.js'
import { createServices, type LarderServices } from '../services/index.js'
import { allowedHostCheck } from '../http/allowed-host.js'
import { errorHandler, notFoundHandler, securityHeaders } from '../http/edge.js'
import { routeConsoleToLog } from '../http/console-to-log.js'
import { startNodeServer } from '../http/node-server.js'
import type { LarderEnv } from '../http/types.js'
import { createLogger, exitWhenLogged } from '../log/index.js'
import { connectToPrimary, runPrimary, runsChores } from '../workers/index.js'

export interface LaunchOptions {
  /** Names the process in its log lines ('server', 'npm', ...). */
  name: string
  /** The mirrors this process serves, each at its prefix. */
  mirrors: readonly AnyMirrorDeclaration[]
  env?: Env
  /** More routes beside the mirrors (the all-in-one server's /-/api/), given the services and the composed mirrors. */
  routes?: (context: { services: LarderServices; app: Hono<LarderEnv> }) => Hono<LarderEnv>
}

/** Never throws: a bad setting, found in any mirror, ends the process with its message (exit 2), not a stack trace. */
export async function launch(options: LaunchOptions): Promise<Server | undefined> {
  let config: LarderConfig
  let services: LarderServices
  let composed: ComposedMirrors
  const listening: Record<string, unknown> = {}
  try {
    config = loadConfig(options.env, { mirrors: options.mirrors })
    if (cluster.isPrimary && config.workers > 1) {
      await runPrimary({ workers: config.workers, config, logger: createLogger({ level: config.logLevel }) })
      return undefined
    }
    const primary = cluster.isWorker ? connectToPrimary() : undefined
    services = createServices(config, { processMetrics: true, ...primary })
    primary?.shareMetrics(services.metrics)
    composed = composeMirrors(services, options.mirrors)
    for (const { handler } of composed.mounted) Object.assign(listening, await handler.start?.())
    await services.events.startDelivery()
  } catch (err) {
    exitWithStartError(err)
    return undefined
  }
  const { logger } = services
  routeConsoleToLog(logger)
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, `uncaught exception, exiting: ${err.message}`)
    exitWhenLogged(logger, 1)
  })
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection')
  })
  const root = new Hono<LarderEnv>()
  root.onError(errorHandler({ app: options.name, logger, metrics: services.metrics }))
  // A path no mirror takes (or one whose dot segments led out of every prefix) is told in JSON like every other error.
  root.notFound(notFoundHandler)
  root.use('*', securityHeaders({ protectReads: config.protectReads }))
  root.use('*', allowedHostCheck(config))
  const extra = options.routes?.({ services, app: composed.app })
  if (extra) root.route('/', extra)
  root.route('/', composed.app)
  const { stopGc, stopGauges, stopEviction } = runsChores() ? startChores(services) : NO_CHORES
  return startNodeServer({
    app: root,
    config,
    logger,
    hot: services.hot,
    onListening: (port) => {
      const fields = { app: options.name, port, host: config.host, dataDir: config.dataDir, offline: config.offline }
      logger.info({ ...fields, mirrors: options.mirrors.map((m) => m.name), ...listening }, `listening on http://${config.host}:${port}`)
    },
    onClosed: () => {
      stopGc()
      stopEviction()
      stopGauges()
      return services.close()
    },
  })
}

const NO_CHORES = { stopGc: () => {}, stopGauges: () => {}, stopEviction: () => {} }

/** gc, eviction and the store gauges: one process per data folder runs them (see runsChores). */
function startChores(services: LarderServices) {
  const { config, logger } = services
  // Replicas on one database take turns: a round runs on whichever holds the chore's lease.
  const lock = services.leases && 'tryAcquire' in services.leases ? services.leases : undefined
  const stopGc = scheduleGarbageCollection({ store: services.store, logger, metrics: services.metrics, intervalMs: config.gcIntervalMs, lock })
  const stopGauges = watchStoreGauges({ store: services.store, metrics: services.metrics, logger })
  const stopEviction = scheduleEviction({
    store: services.store,
    access: services.access,
    logger,
    metrics: services.metrics,
    maxBytes: config.maxCacheBytes,
    unusedMs: config.evictUnusedMs,
    intervalMs: config.evictIntervalMs,
    lock,
  })
  return { stopGc, stopGauges, stopEviction }
}

function exitWithStartError(err: unknown): void {
  const message = isLarderError(err) ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : String((err as Error)?.stack ?? err)
  process.stderr.write(`larder: cannot start: ${message}\n`)
  process.exit(2)
}
