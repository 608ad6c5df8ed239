/** A raw TCP client for the fault proxy's unit test: sends request heads, keeps every byte, and notes FIN, RST and close. */
import { connect, type Socket } from 'node:net'
import { waitFor } from '../temp/wait-for.js'

export interface RawClient {
  /** Writes a GET (or `method`) head for `path`, with extra header lines like 'If-None-Match: "x"'. */
  request(path: string, method?: string, extraHeaders?: string[]): void
  /** Every byte received so far. */
  bytes(): Buffer
  /** The peer sent FIN. */
  readonly ended: boolean
  /** The socket failed (e.g. ECONNRESET). */
  readonly errorCode: string | undefined
  readonly closed: boolean
  /** Waits until the received bytes satisfy `predicate`. */
  until(predicate: (bytes: Buffer) => boolean, description: string, timeoutMs?: number): Promise<Buffer>
  destroy(): void
}

export async function openRawClient(port: number): Promise<RawClient> {
  const socket: Socket = connect({ host: '127.0.0.1', port })
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  let received = Buffer.alloc(0)
  const state = { ended: false, errorCode: undefined as string | undefined, closed: false }
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])))
  socket.on('end', () => (state.ended = true))
  socket.on('error', (error: NodeJS.ErrnoException) => (state.errorCode = error.code))
  socket.on('close', () => (state.closed = true))
  return {
    request: (path, method = 'GET', extraHeaders = []) =>
      void socket.write(`${method} ${path} HTTP/1.1\r\nHost: fault.test\r\n${extraHeaders.map((line) => `${line}\r\n`).join('')}\r\n`),
    bytes: () => received,
    get ended() {
      return state.ended
    },
    get errorCode() {
      return state.errorCode
    },
    get closed() {
      return state.closed
    },
    until: async (predicate, description, timeoutMs = 5000) => {
      await waitFor(() => predicate(received), { description, timeoutMs })
      return received
    },
    destroy: () => void socket.destroy(),
  }
}

export interface RawResponse {
  statusLine: string
  /** Lower-case names. */
  headers: Map<string, string>
  body: Buffer
}

/** Splits the first response off the received bytes; undefined while its head is incomplete. */
export function splitResponse(bytes: Buffer): RawResponse | undefined {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
  return { statusLine, headers, body: bytes.subarray(end + 4) }
}

/** Decodes a complete chunked body; returns the payload and the chunk sizes seen, or undefined if it is not complete yet. */
export function decodeChunked(body: Buffer): { payload: Buffer; sizes: number[]; rest: Buffer } | undefined {
  const parts: Buffer[] = []
  const sizes: number[] = []
  let offset = 0
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset)
    if (lineEnd < 0) return undefined
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16)
    if (size === 0) return body.length >= lineEnd + 4 ? { payload: Buffer.concat(parts), sizes, rest: body.subarray(lineEnd + 4) } : undefined
    if (body.length < lineEnd + 2 + size + 2) return undefined
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size))
    sizes.push(size)
    offset = lineEnd + 2 + size + 2
  }
}
