/**
 * Hot responses: a cached answer (a packument, a small tarball) remembered whole, head and body, and
 * sent again straight from the Node request listener, before routing. Each is tied to the store
 * entries it was made from and is sent only while every one of them is still the entry it was.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { LRUCache } from 'lru-cache'
import type { CacheResult } from '../policy/index.js'
import type { CacheEntry, CacheStore } from '../store/types.js'
import { requestIdFrom } from './edge.js'

export const DEFAULT_HOT_RESPONSES_MAX_ENTRIES = 10_000
export const DEFAULT_HOT_RESPONSES_MAX_BYTES = 64 * 1024 * 1024
/**
 * A request carrying any of these may get another answer than the remembered one (a token, a range,
 * a validator, a proxy's view of the URL, a loop): it takes the full path.
 */
const SPECIAL_HEADERS = [
  'authorization',
  'cookie',
  'range',
  'if-range',
  'if-none-match',
  'if-modified-since',
  'via',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-prefix',
  'x-forwarded-for',
  'forwarded',
]

/** What a route says about an answer it may let be remembered. */
export interface HotHint {
  /** Every store key the answer was made from, with the entry it had (undefined: the key had none). */
  deps: ReadonlyArray<readonly [string, CacheEntry | undefined]>
  /** ms since epoch after which the answer must be made afresh (an index past its TTL); Infinity for immutable ones. */
  validUntil: number
  /** What each later answer is logged as. */
  cache: CacheResult
  /** Told of each answer sent from here (the access log eviction reads). */
  onHit?: () => void
}

/** The request line and metrics of one answer, as the edge records them (see requestEdge). */
export type RecordAnswer = (answer: { requestId: string; method: string; path: string; status: number; cache: CacheResult; bytes: number; ms: number }) => void

interface HotResponse extends HotHint {
  status: number
  headers: Record<string, string>
  body: Buffer
  path: string
  record: RecordAnswer
}

export interface HotResponsesOptions {
  store: CacheStore
  maxEntries?: number
  maxBytes?: number
  now?: () => number
}

export class HotResponses {
  private readonly responses: LRUCache<string, HotResponse>
  private readonly store: CacheStore
  private readonly now: () => number

  constructor(options: HotResponsesOptions) {
    this.store = options.store
    this.now = options.now ?? Date.now
    this.responses = new LRUCache({
      max: options.maxEntries ?? DEFAULT_HOT_RESPONSES_MAX_ENTRIES,
      maxSize: Math.max(1, options.maxBytes ?? DEFAULT_HOT_RESPONSES_MAX_BYTES),
      sizeCalculation: (response) => Math.max(1, response.body.length),
    })
  }

  /** The key of a request that may be answered from here; undefined when it must take the full path. */
  static keyOf(request: IncomingMessage): string | undefined {
    if (request.method !== 'GET') return undefined
    const headers = request.headers
    for (const name of SPECIAL_HEADERS) if (headers[name] !== undefined) return undefined
    return `${headers.host ?? ''}\n${headers.accept ?? ''}\n${request.url ?? ''}`
  }

  /** Remembers an answer the full path just sent (headers as sent, less the request id). */
  remember(key: string, response: Omit<HotResponse, 'headers'> & { headers: Record<string, string> }): void {
    if (response.validUntil <= this.now()) return
    const { 'x-request-id': _, ...headers } = response.headers
    this.responses.set(key, { ...response, headers })
  }

  /** Sends the remembered answer when it still holds; false sends nothing (the caller routes the request). */
  async send(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const key = HotResponses.keyOf(request)
    const hot = key === undefined ? undefined : this.responses.get(key)
    if (!hot || !key) return false
    const started = performance.now()
    if (hot.validUntil <= this.now() || !(await this.stillHolds(hot))) {
      this.responses.delete(key)
      return false
    }
    const requestId = requestIdFrom(request.headers['x-request-id'])
    response.writeHead(hot.status, { ...hot.headers, 'x-request-id': requestId })
    response.end(hot.body)
    hot.onHit?.()
    hot.record({ requestId, method: 'GET', path: hot.path, status: hot.status, cache: hot.cache, bytes: hot.body.length, ms: performance.now() - started })
    return true
  }

  get size(): number {
    return this.responses.size
  }

  /** Entries are shared and frozen by the entry cache: the same object means nothing was written since. */
  private async stillHolds(hot: HotResponse): Promise<boolean> {
    for (const [key, expected] of hot.deps) {
      if ((await this.store.getEntry(key)) !== expected) return false
    }
    return true
  }
}
