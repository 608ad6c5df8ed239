/** The Node HTTP server under a Hono app: client timeouts, a JSON answer for requests that cannot even be parsed, graceful stop. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { Hono } from 'hono'
import type { LarderConfig } from '../config/index.js'
import { exitWhenLogged, type Logger } from '../log/index.js'
import { LarderError } from '../errors/index.js'
import { SECURITY_HEADERS, errorBody } from './edge.js'
import type { HotResponses } from './hot-responses.js'
import { dotSegmentRefusal, framingRefusal } from './request-framing.js'
import type { LarderEnv } from './types.js'

/** How often the server looks for requests over their header or request timeout. */
export const CONNECTIONS_CHECK_INTERVAL_MS = 1000
/** After SIGTERM, how long downloads in flight may go on before their connections are cut. */
export const SHUTDOWN_GRACE_MS = 10_000

export interface NodeServerOptions {
  app: Hono<LarderEnv>
  config: LarderConfig
  logger: Logger
  /** Called once listening, with the bound port. */
  onListening: (port: number) => void
  /** Called after SIGTERM/SIGINT once every connection is gone. */
  onClosed: () => Promise<void>
  /** Answers sent before routing when they still hold; every other request goes to the app. */
  hot?: HotResponses
}

export function startNodeServer(options: NodeServerOptions): Server {
  const { config, logger, hot } = options
  const listener = getRequestListener(options.app.fetch, {
    // A request line Node accepted but no URL can be built from (a raw backslash, a bad Host).
    errorHandler: (err) => {
      logger.info({ code: 'E_BAD_REQUEST', reason: err instanceof Error ? err.message : String(err) }, 'unparsable request refused')
      const body = errorBody(new LarderError('E_BAD_REQUEST', 'the request URL or Host header cannot be parsed', { hint: 'percent-encode the path' }))
      return new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json', ...SECURITY_HEADERS } })
    },
  })
  const route = hot
    ? (request: IncomingMessage, response: ServerResponse) => {
        if (request.method !== 'GET') return void listener(request, response)
        void hot.send(request, response).then(
          (sent) => {
            if (!sent) void listener(request, response)
          },
          () => void listener(request, response),
        )
      }
    : listener
  const server = createServer(
    {
      headersTimeout: config.requestHeadersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    },
    (request, response) => {
      const refusal = framingRefusal(request.rawHeaders) ?? dotSegmentRefusal(request.url)
      if (!refusal) return void route(request, response)
      logger.info({ code: refusal.code, method: request.method, path: request.url?.split('?')[0] }, `request refused: ${refusal.message}`)
      const body = JSON.stringify(errorBody(refusal))
      // The body (if any) is not read: the connection cannot be reused.
      response
        .writeHead(refusal.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close', ...SECURITY_HEADERS })
        .end(body)
    },
  )
  server.on('error', (err) => {
    logger.fatal({ err }, `cannot listen on ${config.host}:${config.port}: ${err.message}`)
    exitWhenLogged(logger, 2)
  })
  server.listen(config.port, config.host, () => options.onListening((server.address() as AddressInfo).port))
  let stopping = false
  const shutdown = () => {
    if (stopping) return
    stopping = true
    server.close(() => void options.onClosed().then(() => exitWhenLogged(logger, 0)))
    server.closeIdleConnections()
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref()
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
  return server
}
