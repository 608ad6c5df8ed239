import { once } from 'node:events'
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import type { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { isLarderError } from '../errors/larder-error.js'
import type { UpstreamClient, UpstreamClientOptions } from './types.js'
import { createUpstreamClient } from './upstream-client.js'

interface TestServer {
  url: string
  hits: number
  connections: number
  headers: IncomingHttpHeaders[]
  bodies: string[]
}

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function startServer(handler: Handler): Promise<TestServer> {
  const state: TestServer = { url: '', hits: 0, connections: 0, headers: [], bodies: [] }
  const server = createServer(async (req, res) => {
    state.hits += 1
    state.headers.push(req.headers)
    let body = ''
    for await (const chunk of req) body += chunk
    state.bodies.push(body)
    handler(req, res, state.hits)
  })
  server.on('connection', () => (state.connections += 1))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  cleanups.push(async () => {
    server.closeAllConnections()
    server.close()
    await once(server, 'close')
  })
  return state
}

function client(options: UpstreamClientOptions = {}): UpstreamClient {
  // env: {} so that a proxy set in the developer's shell cannot reroute these requests.
  const created = createUpstreamClient({ retryBaseDelayMs: 1, env: {}, ...options })
  cleanups.push(() => created.close())
  return created
}

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

const reply =
  (status: number, body = '', headers: Record<string, string | string[]> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers }).end(body)
  }

describe('createUpstreamClient: answers', () => {
  it('returns a 200 with lower-case joined headers, reusing keep-alive connections', async () => {
    const server = await startServer(reply(200, 'hello', { 'X-Multi': ['a', 'b'] }))
    const upstream = client()
    for (let i = 0; i < 4; i++) {
      const response = await upstream.request({ url: `${server.url}/pkg` })
      expect(response.status).toBe(200)
      expect(response.headers['x-multi']).toBe('a, b')
      expect(response.url).toBe(`${server.url}/pkg`)
      expect(await text(response.body)).toBe('hello')
    }
    expect(server.hits).toBe(4)
    // undici's pool may open a second socket for a request sent the instant the previous one
    // ended (before its socket reports drained), so "reused" means fewer sockets than requests.
    expect(server.connections).toBeLessThanOrEqual(2)
  })

  it('returns a 404 instead of throwing', async () => {
    const server = await startServer(reply(404, 'nope'))
    const response = await client().request({ url: `${server.url}/missing` })
    expect(response.status).toBe(404)
    expect(await text(response.body)).toBe('nope')
  })

  it('sends User-Agent and Via (appended to a forwarded one), and asks for the bytes as they are', async () => {
    const server = await startServer(reply(200))
    await text((await client().request({ url: server.url })).body)
    await text((await client({ userAgent: 'ua/1' }).request({ url: server.url, headers: { Via: '1.1 edge' } })).body)
    expect(server.headers[0]).toMatchObject({ 'user-agent': 'larder/0.1 (+caching mirror)', via: '1.1 larder' })
    // No Accept-Encoding would take any coding (RFC 9110): Larder hashes and parses what arrives.
    expect(server.headers[0]?.['accept-encoding']).toBe('identity')
    expect(server.headers[1]).toMatchObject({ 'user-agent': 'ua/1', via: '1.1 edge, 1.1 larder' })
  })

  it('says a reply that is not HTTP at all is upstream garbage, not an internal fault', async () => {
    const raw = createNetServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 abc OK\r\ncontent-length: 2\r\n\r\nok')))
    raw.listen(0, '127.0.0.1')
    await once(raw, 'listening')
    try {
      const { port } = raw.address() as AddressInfo
      await expect(client({ retries: 0 }).request({ url: `http://127.0.0.1:${port}/x` })).rejects.toMatchObject({
        code: 'E_UPSTREAM_GARBAGE',
        message: expect.stringContaining('Invalid status code'),
      })
    } finally {
      raw.close()
    }
  })

  it('passes compressed bytes through untouched', async () => {
    const gzipped = gzipSync('{"name":"x"}')
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': gzipped.length }).end(gzipped)
    })
    const response = await client().request({ url: server.url, headers: { 'accept-encoding': 'gzip' } })
    const chunks: Buffer[] = []
    for await (const chunk of response.body) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).equals(gzipped)).toBe(true)
    expect(server.headers[0]?.['accept-encoding']).toBe('gzip')
  })
})

async function refusedUrl(): Promise<string> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return `http://127.0.0.1:${port}`
}

const never: Handler = () => {}

describe('createUpstreamClient: retries and failures', () => {
  it('retries a GET through two 503s and succeeds on the third hit', async () => {
    const server = await startServer((req, res, hit) => reply(hit <= 2 ? 503 : 200, hit <= 2 ? 'busy' : 'ok')(req, res, hit))
    const response = await client().request({ url: server.url })
    expect(response.status).toBe(200)
    expect(await text(response.body)).toBe('ok')
    expect(server.hits).toBe(3)
  })

  it('throws E_UPSTREAM_STATUS with the status once the retries are used up', async () => {
    const server = await startServer(reply(500, 'boom'))
    const error = await client({ retries: 3 })
      .request({ url: server.url })
      .catch((err: unknown) => err)
    expect(isLarderError(error, 'E_UPSTREAM_STATUS')).toBe(true)
    expect((error as Error).message).toContain('500')
    expect(server.hits).toBe(4)
  })

  it('does not retry a POST', async () => {
    const server = await startServer(reply(503))
    const request = client().request({ url: server.url, method: 'POST', body: 'payload' })
    await expect(request).rejects.toMatchObject({ code: 'E_UPSTREAM_STATUS' })
    expect(server.hits).toBe(1)
    expect(server.bodies[0]).toBe('payload')
  })

  it('retries a 429 with a short Retry-After, and returns one with a long Retry-After', async () => {
    const server = await startServer((req, res, hit) => reply(hit === 1 ? 429 : 200, '', { 'retry-after': '0' })(req, res, hit))
    expect((await client().request({ url: server.url })).status).toBe(200)
    expect(server.hits).toBe(2)

    const slow = await startServer(reply(429, '', { 'retry-after': '60' }))
    expect((await client().request({ url: slow.url })).status).toBe(429)
    expect(slow.hits).toBe(1)
  })

  it('throws E_UPSTREAM_UNREACHABLE naming the origin when the port refuses connections', async () => {
    const url = await refusedUrl()
    const error = await client()
      .request({ url: `${url}/some/path` })
      .catch((err: unknown) => err)
    expect(isLarderError(error, 'E_UPSTREAM_UNREACHABLE')).toBe(true)
    expect((error as Error).message).toContain(url)
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' })
    expect((error as { hint?: string }).hint).toContain('LARDER_*_UPSTREAM')
  })

  it('throws E_UPSTREAM_TIMEOUT when headers do not arrive within headersTimeoutMs', async () => {
    const server = await startServer(never)
    const started = Date.now()
    const request = client({ headersTimeoutMs: 200, retries: 1 }).request({ url: server.url })
    await expect(request).rejects.toMatchObject({ code: 'E_UPSTREAM_TIMEOUT' })
    // undici runs these timers on a coarse clock (ticks of about 500 ms), so allow up to 1 s late per attempt.
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(2 * 200)
    expect(elapsed).toBeLessThan(2 * (200 + 1000))
    expect(server.hits).toBe(2)
  })

  it('stops at once when the caller aborts, without retrying', async () => {
    const controller = new AbortController()
    const reason = new Error('client went away')
    const server = await startServer(() => controller.abort(reason))
    await expect(client().request({ url: server.url, signal: controller.signal })).rejects.toBe(reason)
    expect(server.hits).toBe(1)
  })
})

describe('createUpstreamClient: body failures after the response was returned', () => {
  it('errors the body stream when the upstream stalls mid-body', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': 100 })
      res.write('first bytes')
    })
    const response = await client({ bodyTimeoutMs: 200 }).request({ url: server.url })
    expect(response.status).toBe(200)
    await expect(text(response.body)).rejects.toMatchObject({ code: 'E_UPSTREAM_TIMEOUT' })
  })

  it('errors the body stream when the upstream closes before Content-Length bytes were sent', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': 100 })
      res.write('only ten b', () => res.socket?.destroy())
    })
    const response = await client().request({ url: server.url })
    await expect(text(response.body)).rejects.toMatchObject({ code: 'E_UPSTREAM_UNREACHABLE' })
  })
})

describe('createUpstreamClient: redirects', () => {
  it('follows redirects for GET and reports the final URL', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/a') return reply(302, '', { location: '/b' })(req, res, 0)
      if (req.url === '/b') return reply(301, '', { location: `${server.url}/c?x=1` })(req, res, 0)
      reply(200, `final ${req.url}`)(req, res, 0)
    })
    const response = await client().request({ url: `${server.url}/a` })
    expect(response.status).toBe(200)
    expect(response.url).toBe(`${server.url}/c?x=1`)
    expect(await text(response.body)).toBe('final /c?x=1')
  })

  it('drops credentials when a redirect leaves the origin', async () => {
    const cdn = await startServer(reply(200, 'zip'))
    const host = await startServer(reply(302, '', { location: `${cdn.url}/archive.zip` }))
    const response = await client().request({ url: host.url, headers: { authorization: 'Bearer secret' } })
    expect(await text(response.body)).toBe('zip')
    expect(host.headers[0]?.authorization).toBe('Bearer secret')
    expect(cdn.headers[0]?.authorization).toBeUndefined()
  })

  it('returns redirects it must not follow, and gives up on a loop', async () => {
    const server = await startServer(reply(302, '', { location: '/again' }))
    expect((await client().request({ url: server.url, method: 'POST' })).status).toBe(302)
    expect((await client({ maxRedirects: 0 }).request({ url: server.url })).status).toBe(302)
    await expect(client({ maxRedirects: 3 }).request({ url: server.url })).rejects.toMatchObject({ code: 'E_UPSTREAM_GARBAGE' })
    expect(server.hits).toBe(2 + 4)
  })
})

describe('createUpstreamClient: circuit breaker', () => {
  it('opens after the threshold, fails fast without a hit, and closes again after a successful trial', async () => {
    let healthy = false
    const server = await startServer((req, res, hit) => reply(healthy ? 200 : 500)(req, res, hit))
    const upstream = client({ retries: 0, circuitFailureThreshold: 2, circuitCooldownMs: 300 })
    for (let i = 0; i < 2; i++) {
      await expect(upstream.request({ url: server.url })).rejects.toMatchObject({ code: 'E_UPSTREAM_STATUS' })
    }
    expect(upstream.isCircuitOpen(`${server.url}/other/path`)).toBe(true)
    const error = await upstream.request({ url: server.url }).catch((err: unknown) => err)
    expect(isLarderError(error, 'E_CIRCUIT_OPEN')).toBe(true)
    expect((error as Error).message).toMatch(/again in \d+ s/)
    expect(server.hits).toBe(2)

    healthy = true
    // The cooldown itself is the behaviour under test, so waiting it out is the point here.
    await new Promise((resolve) => setTimeout(resolve, 320))
    expect(upstream.isCircuitOpen(server.url)).toBe(false)
    expect((await upstream.request({ url: server.url })).status).toBe(200)
    expect(server.hits).toBe(3)
    expect(upstream.isCircuitOpen(server.url)).toBe(false)
  })

  it('counts unreachable origins but not 4xx answers', async () => {
    const url = await refusedUrl()
    const upstream = client({ retries: 0, circuitFailureThreshold: 1 })
    await expect(upstream.request({ url })).rejects.toMatchObject({ code: 'E_UPSTREAM_UNREACHABLE' })
    expect(upstream.isCircuitOpen(url)).toBe(true)

    const server = await startServer(reply(404))
    for (let i = 0; i < 3; i++) await text((await upstream.request({ url: server.url })).body)
    expect(upstream.isCircuitOpen(server.url)).toBe(false)
  })
})

describe('createUpstreamClient: options and lifecycle', () => {
  it('rejects invalid options eagerly, naming the option', () => {
    expect(() => createUpstreamClient({ connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/)
    expect(() => createUpstreamClient({ retries: -1 })).toThrow(/retries/)
    expect(() => createUpstreamClient({ via: '1.1 x\r\nX-Evil: 1' })).toThrow(/via/)
  })

  it('rejects requests that cannot be sent, and requests after close', async () => {
    const upstream = client()
    await expect(upstream.request({ url: '/relative' })).rejects.toMatchObject({ code: 'E_INTERNAL' })
    await expect(upstream.request({ url: 'ftp://example.test/' })).rejects.toMatchObject({ code: 'E_INTERNAL' })
    await expect(upstream.request({ url: 'http://127.0.0.1:1/', body: 'x' })).rejects.toMatchObject({ code: 'E_INTERNAL' })
    await upstream.close()
    await expect(upstream.request({ url: 'http://127.0.0.1:1/' })).rejects.toThrow(/closed/)
  })
})
