/** Starts a Larder process: configuration, services, the HTTP server with its client timeouts, and shutdown. */
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { loadConfig, type LarderConfig } from '../config/index.js'
import { isLarderError } from '../errors/index.js'
import { createServices, type LarderServices } from '../services/index.js'
import { createOpsRoutes } from './ops-routes.js'
import type { LarderEnv } from './types.js'

/** How often the server looks for requests over their header or request timeout. */
export const CONNECTIONS_CHECK_INTERVAL_MS = 1000
/** After SIGTERM, how long downloads in flight may go on before their connections are cut. */
export const SHUTDOWN_GRACE_MS = 10_000

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
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, `uncaught exception, exiting: ${err.message}`)
    process.exit(1)
  })
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection')
  })
  const root = new Hono<LarderEnv>()
  if (options.opsRoutes ?? true) root.route('/', createOpsRoutes({ metrics: services.metrics, ready: () => services.ready() }))
  root.route('/', app.app)
  const server = serve(
    {
      fetch: root.fetch,
      port: config.port,
      hostname: config.host,
      serverOptions: {
        headersTimeout: config.requestHeadersTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        keepAliveTimeout: config.keepAliveTimeoutMs,
        connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
      },
    },
    (info) => {
      const fields = { app: options.name, port: info.port, host: config.host, dataDir: config.dataDir, offline: config.offline }
      logger.info({ ...fields, ...app.listening }, `listening on http://${config.host}:${info.port}`)
    },
  ) as Server
  server.on('error', (err) => {
    logger.fatal({ err }, `cannot listen on ${config.host}:${config.port}: ${err.message}`)
    process.exit(2)
  })
  let stopping = false
  const shutdown = () => {
    if (stopping) return
    stopping = true
    server.close(() => void services.close().then(() => process.exit(0)))
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref()
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
  return server
}

function exitWithStartError(err: unknown): void {
  const message = isLarderError(err) ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : String((err as Error)?.stack ?? err)
  process.stderr.write(`larder: cannot start: ${message}\n`)
  process.exit(2)
}
