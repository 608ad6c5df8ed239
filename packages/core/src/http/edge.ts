/** The edge of every app: request id, one pino line per request with its cache result, errors mapped to status once. */
import { randomUUID } from 'node:crypto'
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono'
import { LarderError, toLarderError } from '../errors/index.js'
import type { Logger } from '../log/index.js'
import type { MetricsRegistry } from '../metrics/index.js'
import type { CacheResult } from '../policy/index.js'
import type { HotResponses, RecordAnswer } from './hot-responses.js'
import type { LarderEnv } from './types.js'

export interface EdgeOptions {
  /** Names the app in log lines and metrics ('npm', 'pypi', ...). */
  app: string
  logger: Logger
  metrics: MetricsRegistry
  /** This process's Via token (sent upstream); a request already carrying it has looped back. */
  via?: string
  /** The protocol's own error body (OCI's {"errors": [...]}); Larder's JSON by default. */
  renderError?: ErrorRenderer
  /** Told of every answered request, with its cache result and the body bytes counted in larder_served_bytes_total (the status page's series). */
  onRequest?: (app: string, cache: CacheResult, bytes: number) => void
  /** Where routes may let whole answers be remembered and sent again before routing. */
  hot?: HotResponses
}

/** Turns a LarderError into the response a protocol's clients understand; status and headers are the error's unless it says otherwise. */
export type ErrorRenderer = (c: Context<LarderEnv>, error: LarderError) => Response

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/
/** The caller's X-Request-Id when it is a sane one (it goes into log lines), else a new one. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID()
}

/** On every response: no browser may guess a type other than the one Larder sends. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = { 'x-content-type-options': 'nosniff' }

/**
 * A token-protected answer kept by a shared cache would be handed to clients without a token:
 * under read protection every Cache-Control says private.
 */
export function privateCacheControl(value: string | null | undefined): string {
  if (!value) return 'private'
  const directives = value
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d && !/^(public|private|s-maxage=.*)$/i.test(d))
  return ['private', ...directives].join(', ')
}

export interface SecurityHeadersOptions {
  /** LARDER_PROTECT_READS: responses are for the token holder only. */
  protectReads: boolean
}

/** Adds SECURITY_HEADERS (and private caching under read protection) to every response; sendStream does the same for the socket path. */
export function securityHeaders(options: SecurityHeadersOptions): MiddlewareHandler<LarderEnv> {
  return async (c, next) => {
    if (options.protectReads) c.set('privateResponses', true)
    await next()
    if (c.get('sentStatus')) return
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value)
    if (options.protectReads) c.res.headers.set('cache-control', privateCacheControl(c.res.headers.get('cache-control')))
  }
}

export function requestEdge(options: EdgeOptions): MiddlewareHandler<LarderEnv> {
  const requests = options.metrics.counter('larder_requests_total', 'Requests answered, by app, status and cache result', ['app', 'status', 'cache'])
  const durations = options.metrics.histogram('larder_request_duration_seconds', 'Time to the response head, by app and cache result', ['app', 'cache'])
  // Known where Content-Length is (stored files and documents); a streamed miss of unknown size is not counted.
  const served = options.metrics.counter('larder_served_bytes_total', 'Body bytes answered with a Content-Length, by app and cache result', ['app', 'cache'])
  const record: RecordAnswer = ({ requestId, method, path, status, cache, bytes, ms }) => {
    requests.inc({ app: options.app, status, cache })
    durations.observe({ app: options.app, cache }, ms / 1000)
    if (bytes > 0) served.inc({ app: options.app, cache }, bytes)
    options.onRequest?.(options.app, cache, bytes)
    // ms: time to the response head; a streamed body goes on after this line.
    options.logger.info({ reqId: requestId, app: options.app, method, path, status, cache, ms: Math.round(ms * 10) / 10 }, 'request')
  }
  return async (c, next) => {
    const started = performance.now()
    const requestId = requestIdFrom(c.req.header('x-request-id'))
    c.set('requestId', requestId)
    c.set('recordAnswer', record)
    if (options.hot) c.set('hotResponses', options.hot)
    if (options.via && c.req.header('via')?.includes(options.via)) {
      // Larder's upstream points back at itself (directly or through other proxies).
      throw new LarderError('E_PROXY_LOOP', 'this request already went through this Larder: an upstream points back at it', {
        hint: 'check the LARDER_*_UPSTREAM settings: none may point at this Larder',
      })
    }
    await next()
    const status = c.get('sentStatus') ?? c.res.status
    const cache = c.get('cacheResult') ?? 'PASS'
    if (!c.get('sentStatus')) {
      c.res.headers.set('x-request-id', requestId)
      c.res.headers.set('x-larder-cache', cache)
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value)
    }
    const length = c.get('sentStatus') ? (c.get('sentLength') ?? 0) : Number(c.res.headers.get('content-length'))
    const bytes = c.req.method !== 'HEAD' && length > 0 ? length : 0
    const path = new URL(c.req.url).pathname
    record({ requestId, method: c.req.method, path, status, cache, bytes, ms: performance.now() - started })
    const outgoing = c.env?.outgoing
    if (c.get('sentStatus') && outgoing && !outgoing.writableFinished) {
      // Said once more only when a streamed body did not reach the client whole.
      outgoing.once('close', () => {
        if (!outgoing.writableFinished) {
          const ms = Math.round((performance.now() - started) * 10) / 10
          const cause = c.get('streamError')
          const reason = cause ? toLarderError(cause) : undefined
          const fields = { reqId: requestId, app: options.app, path, ms, code: reason?.code ?? 'E_CLIENT_GONE' }
          const why = reason ? reason.message : 'the client closed the connection'
          options.logger.warn(fields, `response cut off before the body was complete: ${why}`)
        }
      })
    }
  }
}

/** Maps any error to its status and a JSON body naming the code, what failed, and what to do. */
export function errorHandler(options: EdgeOptions): ErrorHandler<LarderEnv> {
  return (err, c) => {
    const error = toLarderError(err)
    const cache = (error.cacheResult as CacheResult | undefined) ?? cacheResultOfError(error)
    if (!c.get('cacheResult') && cache) c.set('cacheResult', cache)
    const fields = { reqId: c.get('requestId'), app: options.app, code: error.code }
    // A client error is an answer, not a fault: no stack. Only a 5xx of our own needs one.
    if (error.status < 500) options.logger[error.status === 404 ? 'info' : 'warn'](fields, error.message)
    else if (error.isUpstreamFailure || error.code === 'E_OFFLINE_MISS') options.logger.warn(fields, error.message)
    else options.logger.error({ ...fields, err: error }, error.message)
    return (options.renderError ?? errorResponse)(c, error)
  }
}

/** What the request line says for a request that failed: OFFLINE for offline misses, MISS when upstream failed it. */
function cacheResultOfError(error: LarderError): CacheResult | undefined {
  if (error.code === 'E_OFFLINE_MISS') return 'OFFLINE'
  if (error.isUpstreamFailure || error.code === 'E_UPSTREAM_TIMEOUT') return 'MISS'
  return undefined
}

/** Larder's JSON error body: what failed, its stable code, and what to do when there is something. */
export function errorBody(error: LarderError): Record<string, string> {
  const body: Record<string, string> = { error: error.message, code: error.code }
  if (error.hint) body.hint = error.hint
  return body
}

export function errorResponse(c: Context<LarderEnv>, error: LarderError): Response {
  return c.json(errorBody(error), error.status as 400, error.headers ? { ...error.headers } : undefined)
}

export const notFoundHandler: NotFoundHandler<LarderEnv> = (c) =>
  errorResponse(c, new LarderError('E_NOT_FOUND', `no such endpoint: ${c.req.method} ${new URL(c.req.url).pathname}`))
