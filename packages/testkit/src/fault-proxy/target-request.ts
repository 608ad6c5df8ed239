/** Forwards one parsed request head to the fault proxy's target with node:http and reads the whole answer. */
import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http'
import type { RequestHead } from './request-head.js'
import type { BufferedResponse } from './wire-modes.js'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length'])
const CONDITIONAL = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'])
const TEXTUAL = /json|text|html|xml/i

export interface TargetRequestOptions {
  agent: Agent
  target: URL
  /** Drop conditional and Range headers, so the target answers with a whole body. */
  unconditional: boolean
  /** Replace the target's origin with this one in text and JSON bodies. */
  rewriteOriginTo: string | undefined
}

export function textResponse(status: number, statusMessage: string, text: string): BufferedResponse {
  return { status, statusMessage, headers: [['Content-Type', 'text/plain']], body: Buffer.from(text), bodiless: false, announcedLength: undefined }
}

/** Never rejects: a target that fails becomes a 502 from the proxy. */
export function fetchFromTarget(head: RequestHead, options: TargetRequestOptions): Promise<BufferedResponse> {
  const { agent, target } = options
  const headers: Record<string, string> = { host: target.host }
  for (const [raw, value] of head.headers) {
    const name = raw.toLowerCase()
    if (!HOP_BY_HOP.has(name) && !(options.unconditional && CONDITIONAL.has(name))) headers[name] = value
  }
  return new Promise((resolve) => {
    const fail = (error: Error) => resolve(textResponse(502, 'Bad Gateway', `fault proxy: target ${target.host} failed: ${error.message}\n`))
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', fail)
      res.on('end', () => resolve(buffered(head, res, Buffer.concat(chunks), options)))
    }
    try {
      const upstream = httpRequest({ agent, host: target.hostname, port: target.port, method: head.method, path: head.path, headers }, onResponse)
      upstream.on('error', fail)
      upstream.end()
    } catch (error) {
      fail(error as Error)
    }
  })
}

function buffered(head: RequestHead, res: IncomingMessage, raw: Buffer, options: TargetRequestOptions): BufferedResponse {
  const status = res.statusCode ?? 502
  const headers: Array<[string, string]> = []
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(res.rawHeaders[i]!.toLowerCase())) headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!])
  }
  const rewrite = options.rewriteOriginTo !== undefined && TEXTUAL.test(res.headers['content-type'] ?? '')
  const body = rewrite ? Buffer.from(raw.toString('utf8').replaceAll(options.target.origin, options.rewriteOriginTo!)) : raw
  return {
    status,
    statusMessage: res.statusMessage ?? '',
    headers,
    body,
    bodiless: head.method === 'HEAD' || status < 200 || status === 204 || status === 304,
    announcedLength: res.headers['content-length'],
  }
}
