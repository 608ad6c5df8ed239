/** Sends a Node stream as the response: piped straight to the socket under the Node server, as a web stream elsewhere. */
import { Readable, pipeline } from 'node:stream'
import type { Context } from 'hono'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
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
  const headers: Record<string, string> = { ...options.headers, 'x-request-id': c.get('requestId') }
  if (options.size !== undefined) headers['content-length'] = String(options.size)
  const cache = c.get('cacheResult')
  if (cache) headers['x-larder-cache'] = cache
  const isHead = c.req.method === 'HEAD'
  const outgoing = c.env?.outgoing
  if (!outgoing) {
    if (isHead) {
      options.body.destroy()
      return new Response(null, { status, headers })
    }
    return new Response(Readable.toWeb(options.body) as ReadableStream, { status, headers })
  }
  // Web streams cost a copy and several promise hops per chunk; tarballs and packuments go straight to the socket.
  c.set('sentStatus', status)
  outgoing.writeHead(status, headers)
  if (isHead) {
    options.body.destroy()
    outgoing.end()
  } else {
    pipeline(options.body, outgoing, (err) => {
      if (err) outgoing.destroy()
    })
  }
  return RESPONSE_ALREADY_SENT
}
