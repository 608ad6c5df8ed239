/** The upstream client's contract: one HTTP request out, one streamed response back. */
import type { Readable } from 'node:stream'

export type UpstreamMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE'

export interface UpstreamRequest {
  /** Absolute http(s) URL. */
  url: string
  /** Default GET. Only GET and HEAD are retried and follow redirects. */
  method?: UpstreamMethod
  headers?: Record<string, string>
  /** Only for methods other than GET and HEAD. */
  body?: string | Uint8Array
  signal?: AbortSignal
}

export interface UpstreamResponse {
  status: number
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>
  /** The exact bytes upstream sent (never decompressed). The caller must consume or destroy it. */
  body: Readable
  /** Final URL after redirects. */
  url: string
}

export interface UpstreamClient {
  /**
   * Resolves with 2xx, 4xx and unfollowed 3xx responses; rejects with a LarderError for
   * unreachable/timed-out upstreams, 5xx after retries, and open circuits.
   */
  request(req: UpstreamRequest): Promise<UpstreamResponse>
  /** True while the circuit for this URL's origin is open (fail-fast). */
  isCircuitOpen(url: string): boolean
  /** Every origin asked so far, with its circuit and its last failure (for /metrics and the status page). */
  health(): UpstreamHealth[]
  close(): Promise<void>
}

export interface UpstreamHealth {
  origin: string
  circuit: 'closed' | 'open' | 'half-open'
  consecutiveFailures: number
  lastError?: { code: string; message: string; at: number }
}

/** One exchange with an upstream (redirect hops and retries included), for metrics. */
export interface UpstreamExchange {
  origin: string
  ms: number
  /** The status class ('2xx', '4xx'...) or the error code. */
  outcome: string
}

export interface UpstreamClientOptions {
  /** Hears the outcome of each exchange. */
  onExchange?: (exchange: UpstreamExchange) => void
  /** Time allowed to open a TCP (+TLS) connection. */
  connectTimeoutMs?: number
  /** Time allowed between sending the request and receiving the response headers. */
  headersTimeoutMs?: number
  /** Longest idle gap between two body chunks. */
  bodyTimeoutMs?: number
  /** Extra attempts for GET/HEAD after the first one fails. */
  retries?: number
  /** First backoff delay; doubles per attempt, with jitter, up to MAX_RETRY_DELAY_MS. */
  retryBaseDelayMs?: number
  /** Redirects followed for GET/HEAD; 0 returns 3xx responses to the caller. */
  maxRedirects?: number
  /** Consecutive failed requests to one origin that open its circuit. */
  circuitFailureThreshold?: number
  /** How long an open circuit fails fast before letting one trial request through. */
  circuitCooldownMs?: number
  userAgent?: string
  /** Sent as a Via header so that a proxy loop back into Larder can be spotted. */
  via?: string
  maxConnectionsPerOrigin?: number
  /** The whole request, redirects, retries and body included, must end within this. */
  deadlineMs?: number
  /** A body averaging less than this over one `throughputWindowMs` is given up; 0 turns the floor off. */
  minBytesPerSecond?: number
  throughputWindowMs?: number
  /** Where HTTP_PROXY/HTTPS_PROXY/NO_PROXY (or lower-case) are read; defaults to process.env. */
  env?: Record<string, string | undefined>
}
