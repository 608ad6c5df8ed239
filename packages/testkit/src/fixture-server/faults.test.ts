import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../temp/wait-for.js'
import { CORRUPT_STRIDE, PORTAL_PAGE, flipBytes } from './faults.js'
import { startFixtureServer, type FixtureHandler, type FixtureServer } from './fixture-server.js'

const started: FixtureServer[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()))
})

const json = JSON.stringify({ name: 'fixture', items: Array.from({ length: 200 }, (_, i) => `item-${i}`) })

// Written in pieces through writeHead/write/end, the way streaming handlers do, to prove the
// body faults see the whole response whatever API the handler used.
const pieces: FixtureHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' })
  res.write(json.slice(0, 100))
  res.write(Buffer.from(json.slice(100, 300)))
  res.end(json.slice(300))
}

async function start(handler: FixtureHandler = pieces): Promise<FixtureServer> {
  const server = await startFixtureServer({ handler })
  started.push(server)
  return server
}

describe('fixture faults seen by a real fetch client', () => {
  it('refuse: connections are refused, and healing listens again on the same port', async () => {
    const server = await start()
    // A pooled keep-alive connection must not survive the outage either.
    await (await fetch(`${server.url}/warm`)).text()
    await server.setFault('refuse')
    await expect(fetch(`${server.url}/doc`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
    expect(server.hitCount('/doc')).toBe(0)

    await server.setFault(null)
    const res = await fetch(`${server.url}/doc`)
    expect(await res.json()).toEqual(JSON.parse(json))
  })

  it('hang: the request is read and counted but never answered until stop() drops it', async () => {
    const server = await start()
    await server.setFault('hang')
    const timedOut = fetch(`${server.url}/slow-doc`, { signal: AbortSignal.timeout(300) })
    await expect(timedOut).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(server.hitCount('/slow-doc')).toBe(1)

    const dropped = fetch(`${server.url}/dropped`, { method: 'POST', body: 'payload' })
    await waitFor(() => server.hitCount('/dropped') === 1)
    await server.stop()
    await expect(dropped).rejects.toThrow(/fetch failed/)
  })

  it('status500 and status503 apply only to matching paths', async () => {
    const server = await start()
    await server.setFault('status503', (path) => path.startsWith('/down'))
    expect((await fetch(`${server.url}/down/x`)).status).toBe(503)
    expect((await fetch(`${server.url}/up`)).status).toBe(200)
    await server.setFault('status500')
    expect((await fetch(`${server.url}/up`)).status).toBe(500)
    expect(server.requests.map((r) => r.fault)).toEqual(['status503', null, 'status500'])
    expect(server.hitCount('/up')).toBe(2)
  })

  it('portal and empty: 200 for any path, a login page or no bytes at all, the handler never runs', async () => {
    let handled = 0
    const server = await start((_req, res) => {
      handled += 1
      res.end(json)
    })
    await server.setFault('portal')
    const page = await fetch(`${server.url}/doc`)
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8'])
    expect(await page.text()).toBe(PORTAL_PAGE)
    await server.setFault('empty')
    const empty = await fetch(`${server.url}/doc`)
    expect([empty.status, empty.headers.get('content-length'), await empty.text()]).toEqual([200, '0', ''])
    expect(handled).toBe(0)
  })

  it('truncate: the full Content-Length is announced, half arrives, the body read fails', async () => {
    const server = await start()
    await server.setFault('truncate')
    const res = await fetch(`${server.url}/doc`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(json)))
    await expect(res.arrayBuffer()).rejects.toThrow()
  })

  it('corrupt: same status, headers and length, different bytes', async () => {
    const big = Buffer.alloc(3 * CORRUPT_STRIDE, 7)
    const server = await start((_req, res) => res.end(big))
    await server.setFault('corrupt', (path) => path === '/blob')
    const res = await fetch(`${server.url}/blob`)
    const body = Buffer.from(await res.arrayBuffer())
    expect(res.status).toBe(200)
    expect(body.length).toBe(big.length)
    expect(body.equals(big)).toBe(false)
    expect(body).toEqual(flipBytes(big))
    expect([0, CORRUPT_STRIDE, 2 * CORRUPT_STRIDE, big.length - 1].map((i) => body[i])).toEqual([0xf8, 0xf8, 0xf8, 0xf8])
    expect(Buffer.from(await (await fetch(`${server.url}/other`)).arrayBuffer()).equals(big)).toBe(true)
  })

  it('garbage: 200 with bytes that are neither JSON nor HTML, even over a 404', async () => {
    const server = await start((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"error":"Not found"}')
    })
    await server.setFault('garbage')
    const res = await fetch(`${server.url}/doc`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const text = await res.text()
    expect(() => JSON.parse(text)).toThrow()
    expect(text.trimStart().startsWith('<')).toBe(false)
  })

  it('slow: the body arrives intact in ticks of the configured size', async () => {
    const body = Buffer.alloc(8 * 1024, 'a')
    const server = await start((_req, res) => res.end(body))
    await server.setFault('slow', undefined, { bytesPerTick: 1024, tickMs: 25 })
    const begun = Date.now()
    const res = await fetch(`${server.url}/big`)
    expect(res.headers.get('content-length')).toBe(String(body.length))
    const chunks: Uint8Array[] = []
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) chunks.push(chunk)
    expect(Buffer.concat(chunks).equals(body)).toBe(true)
    expect(chunks.length).toBeGreaterThanOrEqual(4)
    // Seven pauses of 25 ms sit between the eight ticks.
    expect(Date.now() - begun).toBeGreaterThanOrEqual(7 * 25 - 10)
  })

  it('counts faulted requests like any other', async () => {
    const server = await start()
    await server.setFault('corrupt')
    await (await fetch(`${server.url}/doc`)).arrayBuffer()
    await server.setFault('garbage')
    await (await fetch(`${server.url}/doc`)).arrayBuffer()
    expect(server.hitCount('/doc')).toBe(2)
  })
})
