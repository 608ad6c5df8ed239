/** A small real HTTP server for tests: counts hits per path and can be switched into failure modes. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { captureResponse } from './capture-response.js'
import {
  DEFAULT_SLOW_BYTES_PER_TICK,
  DEFAULT_SLOW_TICK_MS,
  FAULTS,
  PORTAL_PAGE,
  deliverWithFault,
  isBodyFault,
  type Fault,
  type SlowFaultOptions,
} from './faults.js'

export const DEFAULT_FIXTURE_HOST = '127.0.0.1'

/** Its return value is ignored (awaited if a promise), so `(req, res) => res.end(x)` is fine. */
export type FixtureHandler = (req: IncomingMessage, res: ServerResponse) => unknown
/** Receives the request path including its query string, exactly as `hits` keys it. */
export type PathMatcher = (path: string) => boolean

export interface FixtureServerOptions {
  handler: FixtureHandler
  host?: string
  /** 0 (the default) picks a free port. */
  port?: number
}

export interface FixtureRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** The fault applied to this request, if any. */
  fault: Fault | null
}

export interface FixtureServer {
  readonly url: string
  readonly port: number
  /** Requests per path (query included); faulted requests count too. */
  readonly hits: Map<string, number>
  readonly requests: FixtureRequest[]
  hitCount(pathOrPredicate: string | PathMatcher): number
  totalHits(): number
  /** Clears `hits` and `requests`. */
  resetHits(): void
  /**
   * Makes matching requests (all when `match` is omitted) fail as `fault`; null heals the server.
   * 'refuse' stops listening altogether, so it takes no `match`; healing listens on the same port.
   */
  setFault(fault: Fault | null, match?: PathMatcher, options?: SlowFaultOptions): Promise<void>
  /** Closes the listener and every connection, hung ones included. */
  stop(): Promise<void>
}

interface ActiveFault {
  fault: Fault
  match: PathMatcher | undefined
  slow: Required<SlowFaultOptions>
}

export async function startFixtureServer(options: FixtureServerOptions): Promise<FixtureServer> {
  const { handler, host = DEFAULT_FIXTURE_HOST, port: requestedPort = 0 } = options
  if (typeof handler !== 'function') throw new TypeError('handler must be a function')
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new TypeError('port must be an integer between 0 and 65535')
  }

  const hits = new Map<string, number>()
  const requests: FixtureRequest[] = []
  const timers = new Set<NodeJS.Timeout>()
  let active: ActiveFault | null = null
  let stopped = false

  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const applied = active && (active.match?.(path) ?? true) ? active : null
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, fault: applied?.fault ?? null })
    if (!applied) return void runHandler(handler, req, res)
    const { fault, slow } = applied
    if (fault === 'refuse') return void req.socket.destroy()
    if (fault === 'hang') return void req.resume()
    if (fault === 'status500' || fault === 'status503') {
      req.resume()
      res.writeHead(fault === 'status500' ? 500 : 503, { 'content-type': 'text/plain' })
      return void res.end(`fixture fault: ${fault}\n`)
    }
    if (fault === 'portal' || fault === 'empty') {
      req.resume()
      const body = fault === 'portal' ? PORTAL_PAGE : ''
      res.writeHead(200, { 'content-type': fault === 'portal' ? 'text/html; charset=utf-8' : 'text/plain', 'content-length': Buffer.byteLength(body) })
      return void res.end(body)
    }
    if (isBodyFault(fault)) {
      captureResponse(res, (body) => deliverWithFault(res, body, fault, { slow, timers }))
      return void runHandler(handler, req, res)
    }
  })

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve((server.address() as AddressInfo).port)
      })
    })
  // Idle keep-alive connections would otherwise let clients keep talking to a "down" server.
  const closeListener = () =>
    new Promise<void>((resolve) => {
      if (server.listening) server.close(() => resolve())
      else resolve()
      server.closeAllConnections()
    })

  const port = await listen(requestedPort)
  const matches = (pathOrPredicate: string | PathMatcher, path: string) =>
    typeof pathOrPredicate === 'string' ? path === pathOrPredicate : pathOrPredicate(path)

  return {
    url: `http://${host}:${port}`,
    port,
    hits,
    requests,
    hitCount: (pathOrPredicate) => {
      let count = 0
      for (const [path, n] of hits) if (matches(pathOrPredicate, path)) count += n
      return count
    },
    totalHits: () => [...hits.values()].reduce((sum, n) => sum + n, 0),
    resetHits: () => {
      hits.clear()
      requests.length = 0
    },
    setFault: async (fault, match, slowOptions = {}) => {
      if (stopped) throw new Error('setFault: the fixture server is stopped')
      if (fault !== null && !FAULTS.includes(fault)) throw new TypeError(`fault must be one of ${FAULTS.join(', ')}`)
      if (fault === 'refuse' && match) {
        throw new TypeError("match cannot be used with 'refuse': a refused connection has no path")
      }
      const { bytesPerTick = DEFAULT_SLOW_BYTES_PER_TICK, tickMs = DEFAULT_SLOW_TICK_MS } = slowOptions
      if (!Number.isInteger(bytesPerTick) || bytesPerTick <= 0) throw new TypeError('bytesPerTick must be a positive integer')
      if (!(tickMs >= 0)) throw new TypeError('tickMs must be a non-negative number')

      const wasRefusing = active?.fault === 'refuse'
      active = fault === null ? null : { fault, match, slow: { bytesPerTick, tickMs } }
      if (fault === 'refuse' && !wasRefusing) await closeListener()
      if (fault !== 'refuse' && wasRefusing) await listen(port)
    },
    stop: async () => {
      stopped = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await closeListener()
    },
  }
}

async function runHandler(handler: FixtureHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await handler(req, res)
  } catch (error) {
    // A broken fixture should fail the test loudly, not leave the client waiting.
    if (res.headersSent) return void res.destroy()
    res.writeHead(500, { 'content-type': 'text/plain' })
    res.end(`fixture handler threw: ${error instanceof Error ? error.stack : String(error)}\n`)
  }
}
