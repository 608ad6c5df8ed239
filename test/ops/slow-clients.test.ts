/** Slowloris: clients that trickle their request headers are cut off by the server's header timeout; others are served meanwhile. */
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const SLOW_CLIENTS = 8
const HEADERS_TIMEOUT_SECONDS = 2
/** A trickled header line every this often: far too slow to finish a request head in time. */
const TRICKLE_MS = 300

let larder: LarderServer

beforeAll(async () => {
  larder = await startLarder({ env: { LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_SECONDS) } })
})
afterAll(async () => {
  await larder?.stop()
})

interface Trickler {
  closedAfterMs: Promise<number>
  received: () => string
  stop: () => void
}

function trickleHeaders(port: number): Trickler {
  const started = Date.now()
  const socket: Socket = connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (chunk) => (received += chunk.toString()))
  socket.on('error', () => {})
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  let n = 0
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(`X-Slow-${n++}: a\r\n`)
  }, TRICKLE_MS)
  const closedAfterMs = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer)
      resolve(Date.now() - started)
    }),
  )
  return { closedAfterMs, received: () => received, stop: () => socket.destroy() }
}

describe('slow clients', () => {
  it('cuts off clients that never finish their request head, while others are served', async () => {
    const tricklers = Array.from({ length: SLOW_CLIENTS }, () => trickleHeaders(larder.port))
    try {
      // Served while every slow client still holds its connection open.
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${larder.url}/healthz`)
        expect(res.status).toBe(200)
      }
      const closed = await Promise.all(tricklers.map((t) => t.closedAfterMs))
      for (const [i, ms] of closed.entries()) {
        expect(ms, `slow client ${i}`).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_SECONDS * 1000 - 100)
        // Header timeout plus the server's 1 s check interval, with slack for a loaded machine.
        expect(ms, `slow client ${i}`).toBeLessThan(HEADERS_TIMEOUT_SECONDS * 1000 + 4000)
        expect(tricklers[i]!.received()).toMatch(/^(HTTP\/1\.1 408|)/)
      }
      expect((await fetch(`${larder.url}/healthz`)).status).toBe(200)
    } finally {
      for (const t of tricklers) t.stop()
    }
  })

  it('refuses a request timeout shorter than the header timeout, naming both variables', async () => {
    const failed = startLarder({
      env: { LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS: '30', LARDER_REQUEST_TIMEOUT_SECONDS: '10' },
      readyTimeoutMs: 10_000,
    })
    await expect(failed).rejects.toThrow(/LARDER_REQUEST_TIMEOUT_SECONDS must be 0 \(no limit\) or at least LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS/)
  })
})
