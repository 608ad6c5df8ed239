/** The failure modes a fixture server can be switched into, and how each alters a response. */
import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'

export const FAULTS = ['refuse', 'hang', 'status500', 'status503', 'portal', 'empty', 'truncate', 'corrupt', 'garbage', 'slow'] as const
export type Fault = (typeof FAULTS)[number]

export const DEFAULT_SLOW_BYTES_PER_TICK = 64 * 1024
export const DEFAULT_SLOW_TICK_MS = 50
/** Corruption flips a byte every this many bytes (plus the first and last) so any digest notices. */
export const CORRUPT_STRIDE = 4096
export const MIN_GARBAGE_BYTES = 64

/** What a captive portal or a corporate proxy's login answers with 200 for any path: the 'portal' fault. */
export const PORTAL_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form action="/login" method="post"><input name="user"></form></body></html>\n'

export interface SlowFaultOptions {
  bytesPerTick?: number
  tickMs?: number
}

/** Faults that let the handler run and then change what it wrote. */
export type BodyFault = 'truncate' | 'corrupt' | 'garbage' | 'slow'

export function isBodyFault(fault: Fault): fault is BodyFault {
  return fault === 'truncate' || fault === 'corrupt' || fault === 'garbage' || fault === 'slow'
}

export function flipBytes(body: Buffer): Buffer {
  const flipped = Buffer.from(body)
  if (flipped.length === 0) return flipped
  for (let i = 0; i < flipped.length; i += CORRUPT_STRIDE) flipped[i] = (flipped[i] as number) ^ 0xff
  const last = flipped.length - 1
  if (last % CORRUPT_STRIDE !== 0) flipped[last] = (flipped[last] as number) ^ 0xff
  return flipped
}

/** Random bytes led by a NUL, so the body is never JSON, HTML or gzip whatever the dice say. */
export function garbageBytes(length: number): Buffer {
  const bytes = randomBytes(Math.max(length, MIN_GARBAGE_BYTES))
  bytes[0] = 0
  return bytes
}

export interface DeliveryContext {
  slow: Required<SlowFaultOptions>
  /** Pending slow-fault timers, cleared when the server stops. */
  timers: Set<NodeJS.Timeout>
}

/** Sends the handler's buffered `body` (status and headers already set on `res`) with `fault` applied. */
export function deliverWithFault(res: ServerResponse, body: Buffer, fault: BodyFault, context: DeliveryContext): void {
  res.removeHeader('transfer-encoding')
  switch (fault) {
    case 'truncate': {
      // The real length is announced, half of it arrives, then the connection dies mid-body.
      res.setHeader('content-length', body.length)
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy())
      return
    }
    case 'corrupt':
      res.setHeader('content-length', body.length)
      res.end(flipBytes(body))
      return
    case 'garbage': {
      const garbage = garbageBytes(body.length)
      res.statusCode = 200
      res.statusMessage = 'OK'
      res.removeHeader('content-encoding')
      res.setHeader('content-length', garbage.length)
      res.end(garbage)
      return
    }
    case 'slow':
      res.setHeader('content-length', body.length)
      res.flushHeaders()
      sendSlowly(res, body, context)
      return
  }
}

function sendSlowly(res: ServerResponse, body: Buffer, { slow, timers }: DeliveryContext): void {
  let offset = 0
  const tick = () => {
    if (res.destroyed) return
    const chunk = body.subarray(offset, offset + slow.bytesPerTick)
    offset += chunk.length
    if (offset >= body.length) return void res.end(chunk)
    res.write(chunk)
    const timer = setTimeout(() => {
      timers.delete(timer)
      tick()
    }, slow.tickMs)
    timers.add(timer)
  }
  tick()
}
