/** The --server fetcher against a real HTTP server: the mount path, redirects, headers, bodies and refusals. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isOk } from './fetched-response.js'
import { httpFetcher } from './http-fetcher.js'

let server: Server
let base: string
const seen: Array<{ url: string; accept?: string; authorization?: string }> = []

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url!, accept: request.headers.accept, authorization: request.headers.authorization })
    // Like python's http.server: every answer closes its connection.
    response.setHeader('connection', 'close')
    if (request.url === '/mirror/moved') {
      response.writeHead(302, { location: '/mirror/npm/left-pad' }).end()
    } else if (request.url === '/mirror/npm/left-pad') {
      response.writeHead(200, { 'content-type': 'application/json', 'x-larder-cache': 'MISS', etag: '"abc"' }).end('{"name":"left-pad"}')
    } else {
      response.writeHead(504, { 'content-type': 'application/json' }).end('{"error":"not held","code":"E_OFFLINE_MISS"}')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

it('asks below the mount path, follows redirects, and reads headers and body', async () => {
  const fetcher = httpFetcher(base, 'secret')
  try {
    const response = await fetcher.get('/moved', 'application/json')
    expect(isOk(response)).toBe(true)
    expect(response.header('X-Larder-Cache')).toBe('MISS')
    expect(response.header('etag')).toBe('"abc"')
    expect(await response.text()).toBe('{"name":"left-pad"}')
    expect(seen.slice(-2)).toEqual([
      { url: '/mirror/moved', accept: 'application/json', authorization: 'Bearer secret' },
      { url: '/mirror/npm/left-pad', accept: 'application/json', authorization: 'Bearer secret' },
    ])
  } finally {
    await fetcher.close()
  }
})

it('hands back a refusal with its status and body, and lets a body go unread', async () => {
  const fetcher = httpFetcher(base, undefined)
  try {
    const refused = await fetcher.get('/npm/missing')
    expect(isOk(refused)).toBe(false)
    expect(refused.status).toBe(504)
    expect(JSON.parse(await refused.text())).toMatchObject({ code: 'E_OFFLINE_MISS' })
    const unread = await fetcher.get('/npm/left-pad')
    await unread.discard()
    expect(seen.at(-1)?.authorization).toBeUndefined()
  } finally {
    await fetcher.close()
  }
})

it('refuses a server that is not an http URL', () => {
  expect(() => httpFetcher('ftp://example.test', undefined)).toThrow(/--server must be an http or https URL/)
  expect(() => httpFetcher('not a url', undefined)).toThrow(/--server must be a URL/)
})
