import { afterEach, describe, expect, it } from 'vitest'
import { startFixtureServer, type FixtureHandler, type FixtureServer } from './fixture-server.js'

const started: FixtureServer[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()))
})

async function start(handler: FixtureHandler): Promise<FixtureServer> {
  const server = await startFixtureServer({ handler })
  started.push(server)
  return server
}

const hello: FixtureHandler = (req, res) => {
  res.setHeader('content-type', 'text/plain')
  res.end(`hello ${req.url}`)
}

describe('startFixtureServer', () => {
  it('listens on 127.0.0.1 on a free port and runs the handler', async () => {
    const server = await start(hello)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    expect(server.port).toBeGreaterThan(0)
    const res = await fetch(`${server.url}/a?x=1`)
    expect(await res.text()).toBe('hello /a?x=1')
  })

  it('counts hits per path including the query and logs requests', async () => {
    const server = await start(hello)
    await (await fetch(`${server.url}/a`)).text()
    await (await fetch(`${server.url}/a`)).text()
    await (await fetch(`${server.url}/a?v=2`, { method: 'POST', body: 'x', headers: { 'x-test': 'yes' } })).text()

    expect(server.hits.get('/a')).toBe(2)
    expect(server.hitCount('/a?v=2')).toBe(1)
    expect(server.hitCount((path) => path.startsWith('/a'))).toBe(3)
    expect(server.totalHits()).toBe(3)
    expect(server.requests[2]).toMatchObject({ method: 'POST', path: '/a?v=2', fault: null })
    expect(server.requests[2]?.headers['x-test']).toBe('yes')

    server.resetHits()
    expect(server.totalHits()).toBe(0)
    expect(server.requests).toEqual([])
  })

  it('answers 500 with the stack when the handler throws', async () => {
    const server = await start(() => {
      throw new Error('fixture bug')
    })
    const res = await fetch(server.url)
    expect(res.status).toBe(500)
    expect(await res.text()).toContain('fixture bug')
  })

  it('validates its options', async () => {
    await expect(startFixtureServer({ handler: hello, port: -1 })).rejects.toThrow(/port must be/)
    await expect(startFixtureServer({ handler: undefined as never })).rejects.toThrow(/handler must be/)
    const server = await start(hello)
    await expect(server.setFault('refuse', () => true)).rejects.toThrow(/match cannot be used/)
    await expect(server.setFault('slow', undefined, { bytesPerTick: 0 })).rejects.toThrow(/bytesPerTick/)
    await expect(server.setFault('explode' as never)).rejects.toThrow(/fault must be one of/)
  })

  it('stop() closes idle keep-alive connections and the listener', async () => {
    const server = await startFixtureServer({ handler: hello })
    await (await fetch(server.url)).text()
    await server.stop()
    await expect(fetch(server.url)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } })
  })
})
