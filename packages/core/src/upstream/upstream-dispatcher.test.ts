import { once } from 'node:events'
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createUpstreamClient } from './upstream-client.js'
import { readProxySettings } from './upstream-dispatcher.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(async () => {
    server.closeAllConnections()
    server.close()
    await once(server, 'close')
  })
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Origin plus a minimal forward proxy that serves absolute-URI requests by fetching the target. */
async function originAndProxy() {
  const hits = { origin: 0, proxy: 0, proxiedUrls: [] as string[] }
  const origin = await listen((req, res) => {
    hits.origin += 1
    res.writeHead(200, { 'content-type': 'text/plain', 'x-via-seen': req.headers.via ?? '' }).end('from origin')
  })
  const proxy = await listen((req, res) => {
    hits.proxy += 1
    hits.proxiedUrls.push(req.url ?? '')
    const forward = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers)
      upstream.pipe(res)
    })
    forward.on('error', () => res.writeHead(502).end())
    req.pipe(forward)
  })
  return { hits, originUrl: origin.url, proxyUrl: proxy.url }
}

async function fetchText(env: Record<string, string>, url: string): Promise<string> {
  const upstream = createUpstreamClient({ env, retries: 0 })
  cleanups.push(() => upstream.close())
  const response = await upstream.request({ url })
  expect(response.status).toBe(200)
  let text = ''
  for await (const chunk of response.body) text += chunk
  return text
}

describe('upstream client through an HTTP proxy', () => {
  it('sends requests through HTTP_PROXY', async () => {
    const { hits, originUrl, proxyUrl } = await originAndProxy()
    expect(await fetchText({ HTTP_PROXY: proxyUrl }, `${originUrl}/pkg`)).toBe('from origin')
    expect(hits).toMatchObject({ proxy: 1, origin: 1, proxiedUrls: [`${originUrl}/pkg`] })
  })

  it('honours the lower-case http_proxy', async () => {
    const { hits, originUrl, proxyUrl } = await originAndProxy()
    await fetchText({ http_proxy: proxyUrl }, originUrl)
    expect(hits).toMatchObject({ proxy: 1, origin: 1 })
  })

  it('goes direct for hosts in NO_PROXY', async () => {
    const { hits, originUrl, proxyUrl } = await originAndProxy()
    expect(await fetchText({ HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' }, originUrl)).toBe('from origin')
    expect(hits).toMatchObject({ proxy: 0, origin: 1 })
  })

  it('goes direct when no proxy variable is set', async () => {
    const { hits, originUrl } = await originAndProxy()
    await fetchText({}, originUrl)
    expect(hits).toMatchObject({ proxy: 0, origin: 1 })
  })
})

describe('readProxySettings', () => {
  it('prefers lower-case names, treats empty values as unset, and needs a proxy to return settings', () => {
    expect(readProxySettings({ HTTP_PROXY: 'http://A', http_proxy: 'http://a', NO_PROXY: 'x' })).toEqual({
      httpProxy: 'http://a',
      httpsProxy: '',
      noProxy: 'x',
    })
    expect(readProxySettings({ https_proxy: '', HTTPS_PROXY: 'http://b' })?.httpsProxy).toBe('http://b')
    expect(readProxySettings({ NO_PROXY: '*' })).toBeUndefined()
    expect(readProxySettings({ HTTP_PROXY: '' })).toBeUndefined()
  })
})
