/** A raw-TCP HTTP proxy in front of a fixture upstream that rewrites each answer's framing per a switchable fault mode. */
import { Agent } from 'node:http'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import type { PathMatcher } from '../fixture-server/fixture-server.js'
import { parseRequestHead, type RequestHead } from './request-head.js'
import { fetchFromTarget, textResponse } from './target-request.js'
import { CONTENT_MODES, isContentMode, replaceContent } from './content-modes.js'
import { DEFAULT_DRIP_INTERVAL_MS, WIRE_MODES, writeWithMode, type WireOutcome } from './wire-modes.js'

/** How the wire carries an answer (wire modes), or what a sound 200 says instead of the target's answer (content modes). */
export const FAULT_PROXY_MODES = [...WIRE_MODES, ...CONTENT_MODES] as const
export type FaultProxyMode = (typeof FAULT_PROXY_MODES)[number]

export interface FaultProxyOptions {
  /** The fixture upstream, e.g. http://127.0.0.1:PORT; requests go there with its Host. */
  target: string
  mode?: FaultProxyMode
  /** The pause between bytes in 'drip' mode; 1000 (1 byte/s) by default. */
  dripIntervalMs?: number
  /**
   * Replace the target's origin with the proxy's in text and JSON bodies, as a reverse proxy that
   * rewrites absolute links does: then artifact URLs a document names (npm's dist.tarball) lead
   * through the proxy too.
   */
  rewriteTargetUrls?: boolean
}

export interface FaultProxyRequest {
  method: string
  /** Path plus query, as the client sent it. */
  path: string
  mode: FaultProxyMode
  /** Every byte this answer sends has been handed to the kernel. */
  sent: boolean
  /** The client connection that carried it has closed. */
  closed: boolean
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string
  readonly port: number
  readonly target: string
  readonly requests: FaultProxyRequest[]
  /** Requests per path (query included). */
  readonly hits: Map<string, number>
  hitCount(pathOrPredicate: string | PathMatcher): number
  totalHits(): number
  /**
   * Applies `mode` to requests whose path `match` accepts (all when omitted); the rest are answered 'normal'.
   * In the body-breaking and content modes (fin-mid-body, rst-mid-body, drip, portal, empty, garbage) the target is asked without conditional and
   * Range headers, so there is a whole body to break rather than a 304.
   */
  setMode(mode: FaultProxyMode, match?: PathMatcher): void
  /** Closes the listener, destroys every connection and clears every timer. */
  stop(): Promise<void>
}

/** Modes that break a body: the target is asked unconditionally so there is a whole body to break. */
const BREAKING_MODES = new Set<FaultProxyMode>(['fin-mid-body', 'rst-mid-body', 'drip', ...CONTENT_MODES])

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target)
  if (target.protocol !== 'http:') throw new TypeError(`target must be an http:// URL, got ${options.target}`)
  const dripIntervalMs = options.dripIntervalMs ?? DEFAULT_DRIP_INTERVAL_MS
  if (!(dripIntervalMs > 0)) throw new TypeError('dripIntervalMs must be a positive number')
  let active: { mode: FaultProxyMode; match: PathMatcher | undefined } = { mode: options.mode ?? 'normal', match: undefined }
  const agent = new Agent({ keepAlive: true })
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const hits = new Map<string, number>()
  const requests: FaultProxyRequest[] = []
  let proxyUrl = ''

  const answer = async (socket: Socket, head: RequestHead, onSocket: FaultProxyRequest[]): Promise<WireOutcome> => {
    hits.set(head.path, (hits.get(head.path) ?? 0) + 1)
    const mode = (active.match?.(head.path) ?? true) ? active.mode : 'normal'
    const record: FaultProxyRequest = { method: head.method, path: head.path, mode, sent: false, closed: false }
    requests.push(record)
    onSocket.push(record)
    const onSent = () => (record.sent = true)
    if (head.hasBody || (head.method !== 'GET' && head.method !== 'HEAD')) {
      return writeWithMode(socket, textResponse(501, 'Not Implemented', 'fault proxy: GET and HEAD only\n'), 'close-after-body', {
        dripIntervalMs,
        timers,
        onSent,
      })
    }
    const forwarding = { agent, target, unconditional: BREAKING_MODES.has(mode), rewriteOriginTo: options.rewriteTargetUrls ? proxyUrl : undefined }
    // A head that never finishes needs nothing from the target.
    const fetched = mode === 'headers-never-finish' ? textResponse(200, 'OK', '') : await fetchFromTarget(head, forwarding)
    if (socket.destroyed) return 'closed'
    const response = isContentMode(mode) ? replaceContent(fetched, mode) : fetched
    const outcome = await writeWithMode(socket, response, isContentMode(mode) ? 'normal' : mode, { dripIntervalMs, timers, onSent })
    if (outcome === 'keep-alive' && head.wantsClose) {
      socket.end()
      return 'closed'
    }
    return outcome
  }

  const server = createServer((socket) => {
    const carried: FaultProxyRequest[] = []
    sockets.add(socket)
    socket.on('close', () => {
      sockets.delete(socket)
      for (const record of carried) record.closed = true
    })
    socket.on('error', () => {})
    let buffered: Buffer = Buffer.alloc(0)
    let busy = false
    let done = false
    const pump = async () => {
      if (busy || done) return
      busy = true
      for (;;) {
        const parsed = parseRequestHead(buffered)
        if (parsed.kind === 'incomplete') break
        if (parsed.kind === 'invalid') {
          done = true
          socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
          break
        }
        buffered = parsed.rest
        const outcome = await answer(socket, parsed.head, carried)
        if (outcome !== 'keep-alive') {
          done = true
          break
        }
      }
      busy = false
    }
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      void pump()
    })
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
  proxyUrl = `http://127.0.0.1:${port}`
  const matches = (pathOrPredicate: string | PathMatcher, path: string) =>
    typeof pathOrPredicate === 'string' ? path === pathOrPredicate : pathOrPredicate(path)

  return {
    url: proxyUrl,
    port,
    target: target.origin,
    requests,
    hits,
    hitCount: (pathOrPredicate) => [...hits].reduce((sum, [path, n]) => (matches(pathOrPredicate, path) ? sum + n : sum), 0),
    totalHits: () => [...hits.values()].reduce((sum, n) => sum + n, 0),
    setMode: (mode, match) => {
      if (!FAULT_PROXY_MODES.includes(mode)) throw new TypeError(`mode must be one of ${FAULT_PROXY_MODES.join(', ')}`)
      active = { mode, match }
    },
    stop: async () => {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      agent.destroy()
      await closed
    },
  }
}
