/** Starts a Larder process: configuration, services, the HTTP server with its client timeouts, and shutdown. */
import type { Server } from 'node:http'
import { Hono } from 'hono'
import { loadConfig, type LarderConfig } from '../config/index.js'
import { isLarderError } from '../errors/index.js'
import { createServices, type LarderServices } from '../services/index.js'
import { allowedHostCheck } from './allowed-host.js'
import { errorHandler, securityHeaders } from './edge.js'
import { routeConsoleToLog } from './console-to-log.js'
import { startNodeServer } from './node-server.js'
import { createOpsRoutes } from './ops-routes.js'
import type { LarderEnv } from './types.js'

export interface LaunchedApp {
  app: Hono<LarderEnv>
  /** Extra fields for the "listening" line. */
  listening?: Record<string, unknown>
}

export interface LaunchOptions {
  /** Names the process in its log lines ('server', 'npm', ...). */
  name: string
  build: (services: LarderServices) => Hono<LarderEnv> | LaunchedApp | Promise<Hono<LarderEnv> | LaunchedApp>
  /** Mounts /healthz, /readyz and /metrics in front of the app (default true). */
  opsRoutes?: boolean
  env?: Record<string, string | undefined>
}

/** Never throws: a bad setting ends the process with its message (exit 2), not a stack trace. */
export async function launch(options: LaunchOptions): Promise<Server | undefined> {
  let config: LarderConfig
  let services: LarderServices
  let app: LaunchedApp
  try {
    config = loadConfig(options.env)
    services = createServices(config)
    const built = await options.build(services)
    app = built instanceof Hono ? { app: built } : built
  } catch (err) {
    exitWithStartError(err)
    return undefined
  }
  const { logger } = services
  routeConsoleToLog(logger)
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, `uncaught exception, exiting: ${err.message}`)
    process.exit(1)
  })
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection')
  })
  const root = new Hono<LarderEnv>()
  root.onError(errorHandler({ app: options.name, logger, metrics: services.metrics }))
  root.use('*', securityHeaders({ protectReads: config.protectReads }))
  root.use('*', allowedHostCheck(config))
  if (options.opsRoutes ?? true) root.route('/', createOpsRoutes({ metrics: services.metrics, ready: () => services.ready() }))
  root.route('/', app.app)
  return startNodeServer({
    app: root,
    config,
    logger,
    onListening: (port) => {
      const fields = { app: options.name, port, host: config.host, dataDir: config.dataDir, offline: config.offline }
      logger.info({ ...fields, ...app.listening }, `listening on http://${config.host}:${port}`)
    },
    onClosed: () => services.close(),
  })
}

function exitWithStartError(err: unknown): void {
  const message = isLarderError(err) ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : String((err as Error)?.stack ?? err)
  process.stderr.write(`larder: cannot start: ${message}\n`)
  process.exit(2)
}
