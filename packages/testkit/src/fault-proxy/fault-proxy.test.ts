/** The fault proxy's wire bytes per mode, request handling and stop(), seen by a raw socket client. */
import { afterEach, describe, expect, it } from 'vitest'
import { startFixtureServer, type FixtureServer } from '../fixture-server/fixture-server.js'
import { PORTAL_PAGE } from '../fixture-server/faults.js'
import { waitFor } from '../temp/wait-for.js'
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from './fault-proxy.js'
import { decodeChunked, openRawClient, splitResponse, type RawClient } from './raw-client.harness.js'

const BLOB = Buffer.from(Array.from({ length: 10_001 }, (_, i) => (i * 7) % 251))
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function proxyInFront(options: Omit<FaultProxyOptions, 'target'> = {}): Promise<{ proxy: FaultProxy; target: FixtureServer; client: RawClient }> {
  const target = await startFixtureServer({
    handler: (req, res) => {
      const body = req.url === '/blob' ? BLOB : Buffer.from('hello')
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-target': 'yes', 'content-length': body.length })
      res.end(req.method === 'HEAD' ? undefined : body)
    },
  })
  const proxy = await startFaultProxy({ target: target.url, ...options })
  const client = await openRawClient(proxy.port)
  cleanups.push(
    () => target.stop(),
    () => proxy.stop(),
    () => client.destroy(),
  )
  return { proxy, target, client }
}

const complete = (bytes: Buffer) => {
  const response = splitResponse(bytes)
  return response !== undefined && response.body.length >= Number(response.headers.get('content-length'))
}

describe('startFaultProxy wire modes, seen by a raw socket', () => {
  it('normal: HTTP/1.1 with Content-Length, keep-alive, the target asked with its own Host', async () => {
    const { proxy, target, client } = await proxyInFront()
    client.request('/blob')
    const first = splitResponse(await client.until(complete, 'the first answer'))!
    expect(first.statusLine).toBe('HTTP/1.1 200 OK')
    expect(first.headers.get('content-length')).toBe(String(BLOB.length))
    expect(first.headers.get('connection')).toBe('keep-alive')
    expect(first.headers.get('x-target')).toBe('yes')
    expect(first.body.equals(BLOB)).toBe(true)
    client.request('/small', 'HEAD')
    client.request('/small')
    await client.until((b) => b.toString('latin1').endsWith('\r\n\r\nhello'), 'HEAD and GET on the same socket')
    expect(
      client
        .bytes()
        .toString('latin1')
        .match(/Content-Length: 5\r\n/g),
    ).toHaveLength(2)
    expect(target.requests.map((r) => r.headers.host)).toEqual(Array(3).fill(new URL(target.url).host))
    expect(proxy.requests.map((r) => [r.path, r.mode, r.sent])).toEqual([
      ['/blob', 'normal', true],
      ['/small', 'normal', true],
      ['/small', 'normal', true],
    ])
    expect(client.ended).toBe(false)
  })

  it('close-after-body: Content-Length and Connection: close, then FIN', async () => {
    const { client } = await proxyInFront({ mode: 'close-after-body' })
    client.request('/blob')
    await waitFor(() => client.ended, { description: 'FIN' })
    const response = splitResponse(client.bytes())!
    expect(response.headers.get('connection')).toBe('close')
    expect(response.headers.get('content-length')).toBe(String(BLOB.length))
    expect(response.body.equals(BLOB)).toBe(true)
  })

  it('http10: an HTTP/1.0 status line, no length, the body delimited by the close', async () => {
    const { client } = await proxyInFront({ mode: 'http10' })
    client.request('/blob')
    await waitFor(() => client.ended, { description: 'FIN' })
    const response = splitResponse(client.bytes())!
    expect(response.statusLine).toBe('HTTP/1.0 200 OK')
    expect([...response.headers.keys()].filter((n) => ['content-length', 'transfer-encoding', 'connection'].includes(n))).toEqual([])
    expect(response.body.equals(BLOB)).toBe(true)
  })

  it('chunked: small odd-sized chunks that decode to the body, and the socket stays open', async () => {
    const { client } = await proxyInFront({ mode: 'chunked' })
    client.request('/blob')
    await client.until((b) => decodeChunked(splitResponse(b)?.body ?? Buffer.alloc(0)) !== undefined, 'the last chunk')
    const response = splitResponse(client.bytes())!
    expect(response.headers.get('transfer-encoding')).toBe('chunked')
    expect(response.headers.has('content-length')).toBe(false)
    const decoded = decodeChunked(response.body)!
    expect(decoded.payload.equals(BLOB)).toBe(true)
    expect(decoded.sizes.length).toBeGreaterThan(4)
    expect(decoded.sizes.slice(0, -1).every((size) => size % 2 === 1)).toBe(true)
    client.request('/small')
    const second = (b: Buffer) => splitResponse(decodeChunked(splitResponse(b)!.body)!.rest)
    await client.until((b) => decodeChunked(second(b)?.body ?? Buffer.alloc(0))?.payload.toString() === 'hello', 'a second answer')
  })

  it('fin-mid-body: the full length announced, half the body, then FIN without an error', async () => {
    const { client } = await proxyInFront({ mode: 'fin-mid-body' })
    client.request('/blob')
    await waitFor(() => client.ended, { description: 'FIN' })
    const response = splitResponse(client.bytes())!
    expect(response.headers.get('content-length')).toBe(String(BLOB.length))
    expect(response.body.equals(BLOB.subarray(0, Math.floor(BLOB.length / 2)))).toBe(true)
    expect(client.errorCode).toBeUndefined()
  })

  it('rst-mid-body: at most half the body, then a reset', async () => {
    const { client } = await proxyInFront({ mode: 'rst-mid-body' })
    client.request('/blob')
    await waitFor(() => client.closed, { description: 'the socket closing' })
    expect(client.errorCode).toBe('ECONNRESET')
    const body = splitResponse(client.bytes())?.body ?? Buffer.alloc(0)
    expect(body.length).toBeLessThanOrEqual(Math.floor(BLOB.length / 2))
    expect(body.equals(BLOB.subarray(0, body.length))).toBe(true)
  })

  it('drip: the head at once, then one byte per interval until the body is complete', async () => {
    const { client } = await proxyInFront({ mode: 'drip', dripIntervalMs: 40 })
    const begun = Date.now()
    client.request('/small')
    const partial = await client.until((b) => splitResponse(b) !== undefined, 'the head')
    expect(splitResponse(partial)!.body.length).toBeLessThan(5)
    await client.until((b) => splitResponse(b)?.body.toString() === 'hello', 'the dripped body')
    // The first byte goes with the head, the other four one interval apart.
    expect(Date.now() - begun).toBeGreaterThanOrEqual(4 * 40 - 5)
    expect(splitResponse(client.bytes())!.headers.get('content-length')).toBe('5')
  })

  it('headers-never-finish: a status line and one header, then nothing, the socket held open until stop()', async () => {
    const { proxy, target, client } = await proxyInFront({ mode: 'headers-never-finish' })
    client.request('/blob')
    await client.until((b) => b.toString('latin1') === 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n', 'the partial head')
    await new Promise((resolve) => setTimeout(resolve, 300)) // an absence can only be watched for a while
    expect(client.bytes().indexOf('\r\n\r\n')).toBe(-1)
    expect(client.closed).toBe(false)
    expect(proxy.hitCount('/blob')).toBe(1)
    expect(target.totalHits()).toBe(0)
    await proxy.stop()
    await waitFor(() => client.closed, { description: 'stop() dropping the held socket' })
  })

  it('a path matcher faults only the paths it accepts; stop() ends a drip and its timers', async () => {
    const { proxy, client } = await proxyInFront()
    proxy.setMode('http10', (path) => path === '/blob')
    client.request('/small')
    await client.until(complete, 'the unmatched answer')
    expect(splitResponse(client.bytes())!.statusLine).toBe('HTTP/1.1 200 OK')
    client.request('/blob')
    await waitFor(() => client.ended, { description: 'the matched answer closing' })
    expect(client.bytes().toString('latin1')).toContain('HTTP/1.0 200 OK')
    expect(proxy.requests.map((r) => r.mode)).toEqual(['normal', 'http10'])
    expect(() => proxy.setMode('explode' as never)).toThrow(/mode must be one of/)
    proxy.setMode('drip')
    const dripping = await openRawClient(proxy.port)
    dripping.request('/blob')
    await dripping.until((b) => splitResponse(b) !== undefined, 'the drip head')
    await proxy.stop()
    await waitFor(() => dripping.closed, { description: 'stop() dropping the drip' })
  })
})

describe('startFaultProxy content modes: sound framing, 200 OK, no document in it', () => {
  it('portal, empty and garbage replace the answer (even a 404) and keep the connection', async () => {
    const { proxy, client } = await proxyInFront({ mode: 'portal' })
    client.request('/blob')
    const page = splitResponse(await client.until(complete, 'the portal page'))!
    expect([page.statusLine, page.headers.get('content-type'), page.headers.get('x-target')]).toEqual([
      'HTTP/1.1 200 OK',
      'text/html; charset=utf-8',
      undefined,
    ])
    expect(page.body.toString()).toBe(PORTAL_PAGE)
    for (const mode of ['empty', 'garbage'] as const) {
      proxy.setMode(mode)
      const raw = await openRawClient(proxy.port)
      cleanups.push(() => raw.destroy())
      raw.request('/blob')
      const answer = splitResponse(await raw.until(complete, `the ${mode} answer`))!
      expect([answer.statusLine, answer.headers.get('content-type')]).toEqual(['HTTP/1.1 200 OK', 'application/octet-stream'])
      expect(answer.body.length).toBe(mode === 'empty' ? 0 : BLOB.length)
      expect(answer.body.equals(BLOB)).toBe(false)
    }
    expect(proxy.requests.map((r) => r.mode)).toEqual(['portal', 'empty', 'garbage'])
    expect(client.ended).toBe(false)
  })
})

describe('startFaultProxy request and body handling', () => {
  it('asks unconditionally in the body-breaking modes (so a 304 cannot dodge the fault) and rewrites target URLs on request', async () => {
    const target = await startFixtureServer({
      handler: (req, res) => {
        if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end()
        res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' })
        res.end(JSON.stringify({ tarball: `http://${req.headers.host}/pkg/-/pkg-1.0.0.tgz`, padding: 'x'.repeat(100) }))
      },
    })
    const proxy = await startFaultProxy({ target: target.url, rewriteTargetUrls: true })
    const client = await openRawClient(proxy.port)
    cleanups.push(
      () => target.stop(),
      () => proxy.stop(),
      () => client.destroy(),
    )
    client.request('/pkg', 'GET', ['If-None-Match: "v1"'])
    await client.until((b) => b.toString('latin1').startsWith('HTTP/1.1 304 Not Modified\r\n') && b.includes('\r\n\r\n'), 'a 304 in normal mode')
    expect(splitResponse(client.bytes())!.body.length).toBe(0)
    client.request('/pkg')
    await client.until((b) => b.includes('pkg-1.0.0.tgz'), 'the document')
    expect(client.bytes().toString()).toContain(`"tarball":"${proxy.url}/pkg/-/pkg-1.0.0.tgz"`)
    proxy.setMode('fin-mid-body')
    const faulted = await openRawClient(proxy.port)
    cleanups.push(() => faulted.destroy())
    faulted.request('/pkg', 'GET', ['If-None-Match: "v1"'])
    await waitFor(() => faulted.ended, { description: 'FIN' })
    const cut = splitResponse(faulted.bytes())!
    expect(cut.statusLine).toBe('HTTP/1.1 200 OK')
    expect(cut.body.length).toBe(Math.floor(Number(cut.headers.get('content-length')) / 2))
    expect(target.requests.map((r) => r.headers['if-none-match'])).toEqual(['"v1"', undefined, undefined])
  })

  it('refuses requests with a body and bad heads', async () => {
    const { proxy, target, client } = await proxyInFront()
    client.request('/upload', 'POST', ['Content-Length: 3'])
    await waitFor(() => client.ended, { description: 'the refusal closing' })
    expect(splitResponse(client.bytes())!.statusLine).toBe('HTTP/1.1 501 Not Implemented')
    const bad = await openRawClient(proxy.port)
    cleanups.push(() => bad.destroy())
    bad.request('no-slash\u0000')
    await waitFor(() => bad.ended, { description: 'the 400 closing' })
    expect(bad.bytes().toString('latin1')).toMatch(/^HTTP\/1\.1 400 Bad Request/)
    expect(target.totalHits()).toBe(0)
  })
})
