/** The HTTP client every mirror uses to reach its upstream: keep-alive, timeouts, retries, redirects, circuit breaker. */
import type { Readable } from 'node:stream'
import { LarderError, isLarderError } from '../errors/larder-error.js'
import { createCircuitBreaker } from './circuit-breaker.js'
import { discardBody, wrapBody } from './response-body.js'
import { type AttemptOutcome, decideRetry, isIdempotent, parseRetryAfterMs } from './retry-policy.js'
import type { UpstreamClient, UpstreamClientOptions, UpstreamMethod, UpstreamRequest, UpstreamResponse } from './types.js'
import { createDispatcher } from './upstream-dispatcher.js'
import { classifyFailure, safeOrigin, toUpstreamError } from './upstream-failure.js'
import { resolveUpstreamOptions } from './upstream-options.js'

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** Credentials meant for one origin must not follow a redirect to another. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization']
/** Outcomes that say the upstream is down; anything else (4xx, aborts, our own bugs) says nothing about it. */
const CIRCUIT_FAILURE_CODES = new Set(['E_UPSTREAM_UNREACHABLE', 'E_UPSTREAM_TIMEOUT', 'E_UPSTREAM_STATUS'])

/** A response still holding undici's body; only a returned response gets its body wrapped. */
interface RawResponse {
  status: number
  headers: Record<string, string>
  body: Readable
  url: string
}

interface Hop {
  url: string
  method: UpstreamMethod
  headers: Record<string, string>
  body: string | Uint8Array | undefined
  signal: AbortSignal | undefined
}

export function createUpstreamClient(options: UpstreamClientOptions = {}): UpstreamClient {
  const settings = resolveUpstreamOptions(options)
  const { dispatcher, proxied } = createDispatcher(settings)
  const breaker = createCircuitBreaker({
    failureThreshold: settings.circuitFailureThreshold,
    cooldownMs: settings.circuitCooldownMs,
  })
  const floor = { minBytesPerSecond: settings.minBytesPerSecond, windowMs: settings.throughputWindowMs }
  let closed = false
  const seen = new Set<string>()
  const lastErrors = new Map<string, { code: string; message: string; at: number }>()

  async function request(req: UpstreamRequest): Promise<UpstreamResponse> {
    if (closed) throw new LarderError('E_INTERNAL', 'the upstream client is closed')
    const hop = firstHop(req, settings.userAgent, settings.via)
    const deadline = startDeadline(settings.deadlineMs, hop)
    hop.signal = deadline.signal
    const followRedirects = isIdempotent(hop.method) && settings.maxRedirects > 0
    try {
      for (let redirects = 0; ; redirects++) {
        const response = await sendWithCircuit(hop)
        const location = followRedirects ? redirectTarget(response) : undefined
        if (location === undefined) {
          const body = wrapBody(response.body, { url: response.url, proxied, signal: hop.signal, floor, onSettled: deadline.clear })
          return { ...response, body }
        }
        discardBody(response.body)
        if (redirects >= settings.maxRedirects) {
          throw new LarderError('E_UPSTREAM_GARBAGE', `upstream ${safeOrigin(req.url)} redirected more than ${settings.maxRedirects} times`, {
            hint: 'the upstream URL may be wrong, or the upstream is in a redirect loop',
          })
        }
        if (new URL(location).origin !== new URL(hop.url).origin) {
          for (const name of CREDENTIAL_HEADERS) delete hop.headers[name]
        }
        hop.url = location
      }
    } catch (err) {
      deadline.clear()
      throw err
    }
  }

  /** One URL, with the circuit of its origin consulted once and told the final outcome. */
  async function sendWithCircuit(hop: Hop): Promise<RawResponse> {
    const origin = new URL(hop.url).origin
    seen.add(origin)
    const permit = breaker.acquire(origin)
    if (!permit.allowed) throw circuitOpenError(origin, permit.retryAt)
    const started = performance.now()
    try {
      const response = await sendWithRetries(hop)
      breaker.recordSuccess(origin)
      options.onExchange?.({ origin, ms: performance.now() - started, outcome: `${Math.floor(response.status / 100)}xx` })
      return response
    } catch (err) {
      if (isLarderError(err) && CIRCUIT_FAILURE_CODES.has(err.code)) breaker.recordFailure(origin)
      else breaker.release(origin)
      const code = isLarderError(err) ? err.code : 'E_INTERNAL'
      lastErrors.set(origin, { code, message: (err as Error).message, at: Date.now() })
      options.onExchange?.({ origin, ms: performance.now() - started, outcome: code })
      throw err
    }
  }

  async function sendWithRetries(hop: Hop): Promise<RawResponse> {
    for (let attempt = 1; ; attempt++) {
      hop.signal?.throwIfAborted()
      const retryContext = { method: hop.method, attempt, retries: settings.retries, baseDelayMs: settings.retryBaseDelayMs }
      let response: RawResponse
      try {
        response = await sendOnce(hop)
      } catch (err) {
        if (hop.signal?.aborted) throw hop.signal.reason
        const decision = decideRetry({ kind: 'failure', failure: classifyFailure(err) }, retryContext)
        if (!decision.retry) throw toUpstreamError(err, { url: hop.url, proxied })
        await abortableDelay(decision.delayMs, hop.signal)
        continue
      }
      if (response.status < 500 && response.status !== 429) return response
      const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], Date.now())
      const outcome: AttemptOutcome = { kind: 'status', status: response.status, retryAfterMs }
      const decision = decideRetry(outcome, retryContext)
      // A 429 that may not be retried is still a 4xx: the caller gets it, as with any other.
      if (!decision.retry && response.status === 429) return response
      discardBody(response.body)
      if (!decision.retry) throw statusError(response, attempt)
      await abortableDelay(decision.delayMs, hop.signal)
    }
  }

  async function sendOnce(hop: Hop): Promise<RawResponse> {
    const target = new URL(hop.url)
    const response = await dispatcher.request({
      origin: target.origin,
      path: target.pathname + target.search,
      method: hop.method,
      headers: hop.headers,
      body: hop.body,
      signal: hop.signal,
      // Per request too: undici's non-tunnelling proxy pool does not inherit the agent's timeouts.
      headersTimeout: settings.headersTimeoutMs,
      bodyTimeout: settings.bodyTimeoutMs,
    })
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body: response.body, url: hop.url }
  }

  return {
    request,
    isCircuitOpen(url) {
      return URL.canParse(url) && breaker.isOpen(new URL(url).origin)
    },
    health() {
      const failing = new Map(breaker.failing().map((f) => [f.key, f]))
      return [...seen].map((origin) => {
        const state = failing.get(origin)
        const lastError = lastErrors.get(origin)
        return { origin, circuit: state?.state ?? 'closed', consecutiveFailures: state?.failures ?? 0, ...(lastError ? { lastError } : {}) }
      })
    },
    async close() {
      if (closed) return
      closed = true
      await dispatcher.close()
    },
  }
}

function firstHop(req: UpstreamRequest, userAgent: string, via: string): Hop {
  const method = req.method ?? 'GET'
  let url: URL
  try {
    url = new URL(req.url)
  } catch (err) {
    throw new LarderError('E_INTERNAL', `upstream URL is not an absolute URL: ${req.url}`, { cause: err })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LarderError('E_INTERNAL', `upstream URL must be http(s), got ${url.protocol}`)
  }
  if (req.body !== undefined && isIdempotent(method)) {
    throw new LarderError('E_INTERNAL', `a ${method} request to upstream cannot have a body`)
  }
  // A request without Accept-Encoding takes any coding (RFC 9110, 12.5.3), and Larder hashes and parses the bytes
  // as they arrive: it asks for them as they are, unless a caller says it decodes.
  const headers: Record<string, string> = { 'user-agent': userAgent, 'accept-encoding': 'identity' }
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value
  // Appending keeps the chain intact when a caller forwards a Via it received.
  headers.via = headers.via ? `${headers.via}, ${via}` : via
  return { url: url.href, method, headers, body: req.body, signal: req.signal }
}

function redirectTarget(response: RawResponse): string | undefined {
  const location = response.headers.location
  if (!REDIRECT_STATUSES.has(response.status) || !location) return undefined
  let target: URL | undefined
  try {
    target = new URL(location, response.url)
  } catch {
    target = undefined
  }
  if (target?.protocol !== 'http:' && target?.protocol !== 'https:') {
    discardBody(response.body)
    throw new LarderError('E_UPSTREAM_GARBAGE', `upstream ${safeOrigin(response.url)} redirected to an unusable location`)
  }
  return target.href
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

function statusError(response: RawResponse, attempts: number): LarderError {
  const tries = attempts === 1 ? '' : ` (after ${attempts} attempts)`
  return new LarderError('E_UPSTREAM_STATUS', `upstream ${safeOrigin(response.url)} answered ${response.status}${tries}`, {
    hint: 'the upstream is failing; try again later',
    upstreamStatus: response.status,
  })
}

function circuitOpenError(origin: string, retryAt: number): LarderError {
  const waitMs = retryAt - Date.now()
  const when =
    waitMs > 0 ? `will try it again in ${Math.ceil(waitMs / 1000)} s (at ${new Date(retryAt).toISOString()})` : 'is checking it now with a trial request'
  return new LarderError('E_CIRCUIT_OPEN', `upstream ${origin} keeps failing, so it is not being contacted; Larder ${when}`, {
    hint: 'wait for the upstream to recover; cached copies are still served',
  })
}

/**
 * The whole exchange, redirects, retries and body included, must end within `deadlineMs`: the
 * idle and throughput limits alone let an upstream that is merely slow hold a client for hours.
 */
function startDeadline(deadlineMs: number, hop: Hop): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController()
  const timer = setTimeout(() => {
    const seconds = Math.round(deadlineMs / 100) / 10
    controller.abort(
      new LarderError('E_UPSTREAM_TIMEOUT', `upstream ${safeOrigin(hop.url)} did not finish within ${seconds} s`, {
        hint: 'the file may be too large for the link to the upstream; LARDER_UPSTREAM_DEADLINE_SECONDS sets the limit',
      }),
    )
  }, deadlineMs)
  timer.unref()
  const signal = hop.signal ? AbortSignal.any([hop.signal, controller.signal]) : controller.signal
  return { signal, clear: () => clearTimeout(timer) }
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
