import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { isLarderError } from '../errors/larder-error.js'
import type { UpstreamClient, UpstreamClientOptions } from './types.js'
import { createUpstreamClient } from './upstream-client.js'

/** Raw TCP upstreams: these tests need bytes on the wire that no well-behaved HTTP server would send. */
type RawHandler = (socket: Socket) => void

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function rawServer(handler: RawHandler): Promise<string> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    // Answer once the request head is in, as an HTTP server would.
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      handler(socket)
    }
    socket.on('data', onData)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy()
    server.close()
    await once(server, 'close')
  })
  const address = server.address()
  return `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}

function client(options: UpstreamClientOptions = {}): UpstreamClient {
  const created = createUpstreamClient({ retries: 0, env: {}, ...options })
  cleanups.push(() => created.close())
  return created
}

async function bytes(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isLarderError(err)) throw new Error(`expected a LarderError, got ${String(err)}`)
  return { code: err.code, message: err.message }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

describe('upstream limits', () => {
  it('gives up a body that drips below the throughput floor, though bytes keep arriving', async () => {
    const host = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n')
      const timer = setInterval(() => socket.write('x'), 50)
      socket.on('close', () => clearInterval(timer))
    })
    const upstream = client({ minBytesPerSecond: 200, throughputWindowMs: 400, bodyTimeoutMs: 10_000 })
    const response = await upstream.request({ url: `http://${host}/drip` })
    expect(response.status).toBe(200)
    const failure = await failureOf(bytes(response.body))
    expect(failure.code).toBe('E_UPSTREAM_TIMEOUT')
    expect(failure.message).toMatch(/below the floor of 200 bytes\/s/)
  })

  it('does not blame the upstream while its reader is the slow side', async () => {
    const payload = randomBytes(2 * 1024 * 1024)
    const host = await rawServer((socket) => {
      socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${payload.length}\r\n\r\n`), payload]))
    })
    const upstream = client({ minBytesPerSecond: 256 * 1024, throughputWindowMs: 200 })
    const response = await upstream.request({ url: `http://${host}/big` })
    const iterator = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
    const first = (await iterator.next()).value as Buffer
    // Five windows with nothing read: a floor judged on the reader would trip here.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const rest: Buffer[] = [first]
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value as Buffer)
    expect(sha256(Buffer.concat(rest))).toBe(sha256(payload))
  })

  it('ends a fast-enough body that goes on past the overall deadline', async () => {
    const host = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n')
      const timer = setInterval(() => socket.write(Buffer.alloc(4096)), 20)
      socket.on('close', () => clearInterval(timer))
    })
    const upstream = client({ deadlineMs: 600, minBytesPerSecond: 100, throughputWindowMs: 200 })
    const response = await upstream.request({ url: `http://${host}/endless` })
    const failure = await failureOf(bytes(response.body))
    expect(failure).toMatchObject({ code: 'E_UPSTREAM_TIMEOUT', message: expect.stringMatching(/did not finish within 0\.6 s/) })
  })

  it('ends a request whose headers never finish', async () => {
    const host = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n')
    })
    const started = Date.now()
    const failure = await failureOf(client({ headersTimeoutMs: 400 }).request({ url: `http://${host}/half-head` }))
    expect(failure.code).toBe('E_UPSTREAM_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('ends a TLS handshake that never finishes', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
    })
    silent.listen(0, '127.0.0.1')
    await once(silent, 'listening')
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy()
      silent.close()
    })
    const port = (silent.address() as { port: number }).port
    const started = Date.now()
    const failure = await failureOf(client({ connectTimeoutMs: 400 }).request({ url: `https://127.0.0.1:${port}/` }))
    expect(failure.code).toBe('E_UPSTREAM_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('reads a close-delimited HTTP/1.0 body whole while the reader is paused when the upstream closes', async () => {
    // Small enough to fit the socket buffers, so the server can finish and close while nobody reads.
    const payload = randomBytes(512 * 1024)
    let serverDone!: () => void
    const closed = new Promise<void>((resolve) => (serverDone = resolve))
    const host = await rawServer((socket) => {
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n'), payload]), serverDone)
    })
    const response = await client().request({ url: `http://${host}/python-http-server` })
    const iterator = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
    const chunks = [(await iterator.next()).value as Buffer]
    // The parser is paused by backpressure when the FIN arrives: undici 7 threw from its socket handler here.
    await closed
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) chunks.push(next.value as Buffer)
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(payload))
  })
})
