/** Sends a Node stream as the response: piped straight to the socket under the Node server, as a web stream elsewhere. */
import { Readable, pipeline } from 'node:stream'
import type { Context } from 'hono'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { SECURITY_HEADERS } from './edge.js'
import type { LarderEnv } from './types.js'

export interface SendStreamOptions {
  status?: number
  headers: Record<string, string>
  body: Readable
  /** Sets Content-Length when known; otherwise the body is chunked. */
  size?: number
}

export function sendStream(c: Context<LarderEnv>, options: SendStreamOptions): Response {
  const status = options.status ?? 200
  const headers: Record<string, string> = { ...options.headers, ...SECURITY_HEADERS, 'x-request-id': c.get('requestId') }
  if (options.size !== undefined) headers['content-length'] = String(options.size)
  const cache = c.get('cacheResult')
  if (cache) headers['x-larder-cache'] = cache
  if (c.req.method === 'HEAD') {
    // Hono answers HEAD by wrapping the GET response in a new Response, which would lose
    // RESPONSE_ALREADY_SENT and make the Node adapter write the head a second time.
    options.body.destroy()
    return new Response(null, { status, headers })
  }
  const outgoing = c.env?.outgoing
  if (!outgoing) return new Response(Readable.toWeb(options.body) as ReadableStream, { status, headers })
  // Web streams cost a copy and several promise hops per chunk; tarballs and packuments go straight to the socket.
  c.set('sentStatus', status)
  outgoing.writeHead(status, headers)
  pipeline(options.body, outgoing, (err) => {
    if (!err) return
    c.set('streamError', err)
    // No error passed: an 'error' event on the response would have no listener.
    outgoing.destroy()
  })
  return RESPONSE_ALREADY_SENT
}
