/** Forwards a request to upstream unchanged and streams the answer back (search, audit: never cached). */
import type { Context } from 'hono'
import { methodNotAllowed } from '../auth/route-methods.js'
import { LarderError } from '../errors/index.js'
import type { UpstreamClient } from '../upstream/index.js'
import { readLimitedBody } from './limited-body.js'
import { sendStream } from './send-stream.js'
import type { LarderEnv } from './types.js'

export const DEFAULT_PASS_THROUGH_MAX_BODY_BYTES = 16 * 1024 * 1024
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'content-encoding', 'user-agent']
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'content-encoding', 'cache-control', 'etag', 'last-modified']

export type PassThroughMethod = 'GET' | 'HEAD' | 'POST'

export interface PassThroughOptions {
  upstream: UpstreamClient
  url: string
  offline: boolean
  /** What the endpoint is for, in errors: 'npm audit'. */
  purpose: string
  /** The methods the upstream endpoint has (upper case); any other is refused before upstream hears of it. */
  methods: readonly PassThroughMethod[]
  maxBodyBytes?: number
  /** Request headers of the ecosystem's clients the upstream endpoint reads, besides the generic ones. */
  forwardHeaders?: readonly string[]
}

export async function passThrough(c: Context<LarderEnv>, options: PassThroughOptions): Promise<Response> {
  const method = c.req.method
  // Forwarding any method would let a PUT or DELETE reach an upstream endpoint that only reads, under our name.
  if (!(options.methods as readonly string[]).includes(method)) throw methodNotAllowed(method, options.methods, options.purpose)
  c.set('cacheResult', 'PASS')
  if (options.offline) {
    throw new LarderError('E_OFFLINE_MISS', `${options.purpose} needs the upstream registry, and Larder is offline`, {
      hint: 'this endpoint is not cached; it works again when LARDER_OFFLINE is unset and the upstream is reachable',
    })
  }
  const headers: Record<string, string> = {}
  for (const name of [...FORWARDED_REQUEST_HEADERS, ...(options.forwardHeaders ?? [])]) {
    const value = c.req.header(name)
    if (value) headers[name] = value
  }
  const body =
    method === 'GET' || method === 'HEAD'
      ? undefined
      : await readLimitedBody(c.req.raw, options.maxBodyBytes ?? DEFAULT_PASS_THROUGH_MAX_BODY_BYTES, options.purpose)
  const response = await options.upstream.request({ url: options.url, method: method as PassThroughMethod, headers, body }).catch((err: unknown) => {
    if (err instanceof LarderError) {
      throw new LarderError(err.code, `${options.purpose} needs the upstream registry: ${err.message}`, {
        cause: err,
        hint: 'this endpoint is not cached; retry when the upstream is reachable',
      })
    }
    throw err
  })
  const out: Record<string, string> = {}
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = response.headers[name]
    if (value) out[name] = value
  }
  const length = response.headers['content-length']
  return sendStream(c, {
    status: response.status,
    headers: out,
    body: response.body,
    size: length && /^\d+$/.test(length) ? Number(length) : undefined,
  })
}
