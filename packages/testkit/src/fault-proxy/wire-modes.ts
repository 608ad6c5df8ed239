/** The ways the fault proxy can put a buffered upstream response on the wire, from a clean keep-alive answer to a hung head. */
import type { Socket } from 'node:net'

export const WIRE_MODES = ['normal', 'close-after-body', 'http10', 'chunked', 'fin-mid-body', 'rst-mid-body', 'drip', 'headers-never-finish'] as const
export type WireMode = (typeof WIRE_MODES)[number]

/** Modes that deliver every byte, each framed differently: a client must end with the exact body. */
export const BENIGN_MODES = ['normal', 'close-after-body', 'http10', 'chunked'] as const satisfies readonly WireMode[]

export const DEFAULT_DRIP_INTERVAL_MS = 1000
/** Chunk sizes of the 'chunked' mode, used in turn: small and odd, with a few larger ones so big bodies stay quick. */
export const CHUNK_SIZES = [1, 3, 17, 255, 4093, 65_521] as const

/** What the target answered, read in full. */
export interface BufferedResponse {
  status: number
  statusMessage: string
  /** End-to-end headers only: no Content-Length, Transfer-Encoding or Connection. */
  headers: Array<[string, string]>
  body: Buffer
  /** HEAD, 1xx, 204 and 304 answers carry no body whatever their headers say. */
  bodiless: boolean
  /** For bodiless answers: the Content-Length the target sent (a HEAD names the GET's length). */
  announcedLength: string | undefined
}

export interface WireContext {
  dripIntervalMs: number
  /** Pending drip timers, cleared when the proxy stops. */
  timers: Set<NodeJS.Timeout>
  /** Called once every byte this mode sends has been handed to the kernel. */
  onSent: () => void
}

/** 'keep-alive': the socket can carry the next request; 'closed': it is being ended or reset; 'hung': left open on purpose. */
export type WireOutcome = 'keep-alive' | 'closed' | 'hung'

function head(statusLine: string, headers: Array<[string, string]>): Buffer {
  return Buffer.from(`${statusLine}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`, 'latin1')
}

function lengthHeader(response: BufferedResponse): Array<[string, string]> {
  if (!response.bodiless) return [['Content-Length', String(response.body.length)]]
  return response.announcedLength === undefined ? [] : [['Content-Length', response.announcedLength]]
}

export function chunkedBody(body: Buffer): Buffer {
  const parts: Buffer[] = []
  for (let offset = 0, turn = 0; offset < body.length; turn++) {
    const size = Math.min(CHUNK_SIZES[turn % CHUNK_SIZES.length]!, body.length - offset)
    parts.push(Buffer.from(`${size.toString(16)}\r\n`), body.subarray(offset, offset + size), Buffer.from('\r\n'))
    offset += size
  }
  parts.push(Buffer.from('0\r\n\r\n'))
  return Buffer.concat(parts)
}

/** Writes `response` to `socket` framed as `mode` says. */
export function writeWithMode(socket: Socket, response: BufferedResponse, mode: WireMode, context: WireContext): Promise<WireOutcome> {
  const status11 = `HTTP/1.1 ${response.status} ${response.statusMessage}`
  const { body, headers } = response
  const half = body.subarray(0, Math.floor(body.length / 2))
  const sendAll = (bytes: Buffer, outcome: WireOutcome, after?: () => void) =>
    new Promise<WireOutcome>((resolve) => {
      socket.write(bytes, () => {
        context.onSent()
        after?.()
        resolve(outcome)
      })
      if (outcome === 'closed' && !after) socket.end()
    })
  if (response.bodiless && mode !== 'headers-never-finish' && mode !== 'http10') {
    const closes = mode !== 'normal' && mode !== 'chunked' && mode !== 'drip'
    const connection: [string, string] = ['Connection', closes ? 'close' : 'keep-alive']
    return sendAll(head(status11, [...headers, ...lengthHeader(response), connection]), closes ? 'closed' : 'keep-alive')
  }
  switch (mode) {
    case 'normal':
      return sendAll(Buffer.concat([head(status11, [...headers, ...lengthHeader(response), ['Connection', 'keep-alive']]), body]), 'keep-alive')
    case 'close-after-body':
      return sendAll(Buffer.concat([head(status11, [...headers, ...lengthHeader(response), ['Connection', 'close']]), body]), 'closed')
    case 'http10': {
      const status10 = `HTTP/1.0 ${response.status} ${response.statusMessage}`
      return sendAll(Buffer.concat([head(status10, headers), response.bodiless ? Buffer.alloc(0) : body]), 'closed')
    }
    case 'chunked':
      return sendAll(Buffer.concat([head(status11, [...headers, ['Transfer-Encoding', 'chunked']]), chunkedBody(body)]), 'keep-alive')
    case 'fin-mid-body':
      return sendAll(Buffer.concat([head(status11, [...headers, ...lengthHeader(response)]), half]), 'closed')
    case 'rst-mid-body':
      return sendAll(Buffer.concat([head(status11, [...headers, ...lengthHeader(response)]), half]), 'closed', () => socket.resetAndDestroy())
    case 'drip':
      socket.write(head(status11, [...headers, ...lengthHeader(response)]))
      return drip(socket, body, context)
    case 'headers-never-finish':
      socket.write(`${status11}\r\nContent-Type: application/octet-stream\r\n`, () => context.onSent())
      return Promise.resolve('hung')
  }
}

/** One byte per interval; the socket stays usable if the client waits for the whole body. */
function drip(socket: Socket, body: Buffer, context: WireContext): Promise<WireOutcome> {
  return new Promise((resolve) => {
    let offset = 0
    let timer: NodeJS.Timeout | undefined
    const stop = (outcome: WireOutcome) => {
      if (timer) clearTimeout(timer)
      if (timer) context.timers.delete(timer)
      socket.off('close', onClose)
      resolve(outcome)
    }
    const onClose = () => stop('closed')
    socket.on('close', onClose)
    const tick = () => {
      if (offset >= body.length) {
        context.onSent()
        return stop('keep-alive')
      }
      socket.write(body.subarray(offset, offset + 1))
      offset += 1
      if (timer) context.timers.delete(timer)
      timer = setTimeout(tick, context.dripIntervalMs)
      context.timers.add(timer)
    }
    tick()
  })
}
