/** Buffers what a handler writes to a ServerResponse so a fault can alter it before anything is sent. */
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http'

type WriteCallback = (error?: Error | null) => void
type Chunk = string | Uint8Array

/**
 * Replaces writeHead/write/end on this one response. Status and headers land on the real response
 * (nothing is flushed), the body in memory; `onEnd` receives the body after the originals are
 * restored, so it can send with the normal API. Fixture bodies are small, so buffering is fine.
 */
export function captureResponse(res: ServerResponse, onEnd: (body: Buffer) => void): void {
  const chunks: Buffer[] = []
  const toBuffer = (chunk: Chunk | undefined, encoding: unknown): Buffer =>
    typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk ?? [])
  const callbackOf = (...args: unknown[]) => args.find((arg) => typeof arg === 'function') as WriteCallback | undefined

  const patched = res as unknown as Record<'writeHead' | 'write' | 'end' | 'flushHeaders', unknown>
  patched.writeHead = (statusCode: number, ...rest: unknown[]) => {
    res.statusCode = statusCode
    if (typeof rest[0] === 'string') res.statusMessage = rest.shift() as string
    applyHeaders(res, rest[0] as OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined)
    return res
  }
  patched.flushHeaders = () => {}
  patched.write = (chunk: Chunk, encoding?: unknown, callback?: unknown) => {
    chunks.push(toBuffer(chunk, encoding))
    const done = callbackOf(encoding, callback)
    if (done) process.nextTick(done)
    return true
  }
  patched.end = (chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    if (chunk !== undefined && typeof chunk !== 'function') chunks.push(toBuffer(chunk as Chunk, encoding))
    const done = callbackOf(chunk, encoding, callback)
    if (done) res.once('finish', () => done())
    for (const name of ['writeHead', 'write', 'end', 'flushHeaders']) Reflect.deleteProperty(res, name)
    onEnd(Buffer.concat(chunks))
    return res
  }
}

// writeHead accepts an object, a flat [name, value, ...] list, or [[name, value], ...].
function applyHeaders(res: ServerResponse, headers: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined): void {
  if (!headers) return
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value)
    return
  }
  const pairs: Array<[string, string]> = []
  if (headers.every((entry) => Array.isArray(entry))) {
    for (const entry of headers as unknown as string[][]) pairs.push([String(entry[0]), String(entry[1])])
  } else {
    for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([String(headers[i]), String(headers[i + 1])])
  }
  const grouped = new Map<string, string[]>()
  for (const [name, value] of pairs) grouped.set(name, [...(grouped.get(name) ?? []), value])
  for (const [name, values] of grouped) res.setHeader(name, values.length === 1 ? (values[0] as string) : values)
}
