/** Sends a Node stream as the response: piped straight to the socket under the Node server, as a web stream elsewhere. */
import { Readable, pipeline } from 'node:stream'
import type { Context } from 'hono'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { HeldBlob } from '../store/blob-memory.js'
import { readsInto } from '../streams/reads-into.js'
import { startReusingSender } from './send-reusing-buffers.js'
import { HotResponses } from './hot-responses.js'
import { SECURITY_HEADERS, privateCacheControl } from './edge.js'
import type { LarderEnv } from './types.js'

export interface SendStreamOptions {
  status?: number
  headers: Record<string, string>
  body: Readable
  /** Sets Content-Length when known; otherwise the body is chunked. */
  size?: number
}

export async function sendStream(c: Context<LarderEnv>, options: SendStreamOptions): Promise<Response> {
  const status = options.status ?? 200
  const headers: Record<string, string> = { ...options.headers, ...SECURITY_HEADERS, 'x-request-id': c.get('requestId') }
  if (options.size !== undefined) headers['content-length'] = String(options.size)
  const cache = c.get('cacheResult')
  if (cache) headers['x-larder-cache'] = cache
  if (c.get('privateResponses')) headers['cache-control'] = privateCacheControl(headers['cache-control'])
  const { body } = options
  if (c.req.method === 'HEAD') {
    // Hono answers HEAD by wrapping the GET response in a new Response, which would lose
    // RESPONSE_ALREADY_SENT and make the Node adapter write the head a second time.
    body.destroy()
    return new Response(null, { status, headers })
  }
  if (body instanceof HeldBlob && (options.size === undefined || options.size === body.bytes.length)) {
    headers['content-length'] = String(body.bytes.length)
    return sendBytes(c, status, headers, body.bytes)
  }
  const outgoing = c.env?.outgoing
  if (outgoing && readsInto(body) && body.untouched) {
    // Files and spools: the head still waits for the first byte (see below), then a few buffers are reused.
    const sender = await startReusingSender(body, outgoing)
    c.set('sentStatus', status)
    if (options.size !== undefined) c.set('sentLength', options.size)
    try {
      outgoing.writeHead(status, headers)
    } catch (err) {
      body.destroy()
      throw err
    }
    sender.run().catch((err: Error) => {
      c.set('streamError', err)
      outgoing.destroy()
    })
    return RESPONSE_ALREADY_SENT
  }
  // The head waits for the first byte: a body that fails before it (the upstream closed, a fill
  // refused) is answered with its error status, not a connection reset after a 200.
  await untilFirstChunk(body)
  if (!outgoing) return new Response(Readable.toWeb(body) as ReadableStream, { status, headers })
  // Web streams cost a copy and several promise hops per chunk; tarballs and packuments go straight to the socket.
  c.set('sentStatus', status)
  if (options.size !== undefined) c.set('sentLength', options.size)
  // Before pipeline destroys the response: the request log reads the reason when the socket closes.
  body.once('error', (err) => c.set('streamError', err))
  outgoing.writeHead(status, headers)
  pipeline(body, outgoing, (err) => {
    if (!err) return
    // No error passed: an 'error' event on the response would have no listener.
    outgoing.destroy()
  })
  return RESPONSE_ALREADY_SENT
}

/** A body wholly in memory: one write of head and bytes, no stream machinery. */
function sendBytes(c: Context<LarderEnv>, status: number, headers: Record<string, string>, bytes: Buffer): Response {
  const outgoing = c.env?.outgoing
  if (!outgoing) return new Response(bytes, { status, headers })
  c.set('sentStatus', status)
  c.set('sentLength', bytes.length)
  outgoing.writeHead(status, headers)
  outgoing.end(bytes)
  rememberIfHot(c, status, headers, bytes)
  return RESPONSE_ALREADY_SENT
}

/** Lets HotResponses send this very answer again, when the route said it may and the request was a plain GET. */
function rememberIfHot(c: Context<LarderEnv>, status: number, headers: Record<string, string>, body: Buffer): void {
  const hint = c.get('hotHint')
  const hot = c.get('hotResponses')
  const incoming = c.env?.incoming
  if (!hint || !hot || status !== 200 || !incoming) return
  const key = HotResponses.keyOf(incoming)
  if (key === undefined) return
  const path = new URL(c.req.url).pathname
  hot.remember(key, { ...hint, status, headers: { ...headers, 'x-larder-cache': hint.cache }, body, path, record: c.get('recordAnswer') })
}

/** Resolves once the body has a first chunk (put back, unread) or has ended empty; rejects when it fails first. */
function untilFirstChunk(body: Readable): Promise<void> {
  if (body.errored) return Promise.reject(body.errored)
  if (body.readableEnded || body.readableLength > 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown) => {
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('error', onError)
      body.off('close', onClose)
      if (error) reject(error)
      else resolve()
    }
    const onData = (chunk: Buffer) => {
      body.pause()
      body.unshift(chunk)
      settle()
    }
    const onEnd = () => settle()
    const onError = (err: Error) => settle(err)
    const onClose = () => settle(body.errored ?? new Error('the body closed before its first byte'))
    body.on('data', onData)
    body.once('end', onEnd)
    body.once('error', onError)
    body.once('close', onClose)
  })
}
