/** Remote files: fetched once from a fixture upstream (through a redirect to another host), pinned by ?sha256=, served when the upstream is down or Larder is offline. */
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureServer, waitFor, writeZip, type FixtureServer } from '@larder/testkit'
import { AUTH, json, openFilesApp, sha256, type FilesHarness } from './files-app.harness.js'
import { HostedFiles } from './hosted/hosted-files.js'
import { checkUpstreamNames } from './settings/upstream-names.js'

const RELEASE = Buffer.from('release asset bytes '.repeat(500))
const TARBALL = gzipSync(randomBytes(6000))
const TOOL_ZIP = writeZip([{ name: 'tool/README', data: 'a tool\n' }])
const NOT_GZIP = Buffer.from('a file whose name says gzip but is plain text\n')

let objects: FixtureServer
let upstream: FixtureServer
let h: FilesHarness
let releaseHeld: (() => void) | undefined
let releaseRest: (() => void) | undefined

beforeAll(async () => {
  // Another host, as GitHub release downloads redirect to objects.githubusercontent.com.
  objects = await startFixtureServer({
    host: '127.0.0.2',
    handler: (req, res) => {
      if (req.url !== '/objects/app.tgz?token=signed') return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': RELEASE.length }).end(RELEASE)
    },
  })
  upstream = await startFixtureServer({
    handler: async (req, res) => {
      const url = req.url ?? ''
      if (url === '/owner/app/releases/download/v1/app.tgz') return res.writeHead(302, { location: `${objects.url}/objects/app.tgz?token=signed` }).end()
      if (url === '/dist/v1/node.tar.gz') return res.writeHead(200, { 'content-type': 'text/html' }).end(TARBALL)
      if (url === '/dist/v4/tool.zip') return res.writeHead(200, { 'content-type': 'application/zip' }).end(TOOL_ZIP)
      if (url === '/dist/named.tar.gz') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(NOT_GZIP)
      if (url.startsWith('/dist/echo')) return res.writeHead(200).end(`query: ${url}`)
      if (url === '/dist/streamed.bin') {
        res.writeHead(200, { 'content-length': TARBALL.length })
        res.write(TARBALL.subarray(0, 100))
        await new Promise<void>((resolve) => (releaseRest = resolve))
        return res.end(TARBALL.subarray(100))
      }
      if (url === '/dist/held.bin') {
        await new Promise<void>((resolve) => (releaseHeld = resolve))
        return res.writeHead(200).end(TARBALL)
      }
      res.writeHead(404).end('not here')
    },
  })
  h = await openFilesApp({ LARDER_FILES_UPSTREAMS: `github=${upstream.url},nodejs=${upstream.url}/dist` }, async () => {
    await upstream.stop()
    await objects.stop()
  })
})

afterAll(async () => {
  await h?.close()
})

describe('a file of an upstream', () => {
  it('follows redirects to another host, is stored, and served with its digest from then on', async () => {
    const first = await h.request('/files/github/owner/app/releases/download/v1/app.tgz')
    expect(first.status).toBe(200)
    expect(first.headers.get('x-larder-cache')).toBe('MISS')
    expect(first.headers.get('content-length')).toBe(String(RELEASE.length))
    expect(Buffer.from(await first.arrayBuffer()).equals(RELEASE)).toBe(true)
    const held = await h.request('/files/github/owner/app/releases/download/v1/app.tgz', { method: 'HEAD' })
    expect(held.headers.get('x-checksum-sha256')).toBe(sha256(RELEASE))
    expect(held.headers.get('etag')).toBe(`"${sha256(RELEASE)}"`)
    const again = await h.request('/files/github/owner/app/releases/download/v1/app.tgz', { headers: { range: 'bytes=0-9' } })
    expect(again.status).toBe(206)
    expect(again.headers.get('x-larder-cache')).toBe('HIT')
    expect(await again.text()).toBe(RELEASE.subarray(0, 10).toString())
    expect(objects.hitCount('/objects/app.tgz?token=signed')).toBe(1)
  })

  it('streams a first unpinned download: the client has the first bytes before the upstream has sent the rest', async () => {
    const res = await h.request('/files/nodejs/streamed.bin')
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    let got = Buffer.alloc(0)
    // All but the last byte held: Larder keeps one back until the whole download's digest is known.
    while (got.length < 99) got = Buffer.concat([got, Buffer.from((await reader.read()).value!)])
    expect(got.equals(TARBALL.subarray(0, 99))).toBe(true)
    releaseRest!()
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) got = Buffer.concat([got, Buffer.from(chunk.value)])
    expect(got.equals(TARBALL)).toBe(true)
    await waitFor(async () => (await h.request('/files/nodejs/streamed.bin', { method: 'HEAD' })).headers.get('x-larder-cache') === 'HIT')
    expect(upstream.hitCount('/dist/streamed.bin')).toBe(1)
  })

  it('is application/octet-stream whatever the upstream calls it', async () => {
    const res = await h.request('/files/nodejs/v1/node.tar.gz')
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(Buffer.from(await res.arrayBuffer()).equals(TARBALL)).toBe(true)
  })

  it('refuses a login page standing in for a file whose name promises an archive, and stores none of it', async () => {
    await upstream.setFault('portal', (path) => path === '/dist/v4/tool.zip')
    try {
      const refused = await h.request('/files/nodejs/v4/tool.zip')
      expect(refused.status).toBe(502)
      expect(await json(refused)).toMatchObject({ code: 'E_UPSTREAM_GARBAGE', error: expect.stringMatching(/page of type text\/html.*zip archive/) })
    } finally {
      await upstream.setFault(null)
    }
    expect(Buffer.from(await (await h.request('/files/nodejs/v4/tool.zip')).arrayBuffer()).equals(TOOL_ZIP)).toBe(true)
    // Bytes under another type pass, whatever the name says: a generic download may be named anything.
    expect(Buffer.from(await (await h.request('/files/nodejs/named.tar.gz')).arrayBuffer()).equals(NOT_GZIP)).toBe(true)
  })

  it('is fetched once for concurrent requests', async () => {
    const answers = Array.from({ length: 5 }, () => h.request('/files/nodejs/held.bin'))
    await waitFor(() => upstream.hitCount('/dist/held.bin') === 1)
    releaseHeld!()
    for (const res of await Promise.all(answers)) {
      expect(res.status).toBe(200)
      expect(Buffer.from(await res.arrayBuffer()).equals(TARBALL)).toBe(true)
    }
    expect(upstream.hitCount('/dist/held.bin')).toBe(1)
  })

  it("keeps the query string (one stored file per query), except Larder's own sha256 pin", async () => {
    const pin = sha256('query: /dist/echo?a=1&b=x%20y')
    const res = await h.request(`/files/nodejs/echo?a=1&sha256=${pin}&b=x%20y`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('query: /dist/echo?a=1&b=x%20y')
    expect(await (await h.request('/files/nodejs/echo?a=2')).text()).toBe('query: /dist/echo?a=2')
    expect(await (await h.request('/files/nodejs/echo?a=1&b=x%20y')).text()).toBe('query: /dist/echo?a=1&b=x%20y')
    expect(upstream.hitCount('/dist/echo?a=1&b=x%20y')).toBe(1)
  })

  it('is 404 when the upstream has no such file, and an upstream is not listed', async () => {
    expect((await h.request('/files/nodejs/v9/missing.tgz')).status).toBe(404)
    expect((await h.request('/files/nodejs/v1/')).status).toBe(404)
    expect((await h.request('/files/github')).status).toBe(404)
  })

  it('takes no uploads: an upstream name is never a hosted repository', async () => {
    const res = await h.request('/files/github/mine.tgz', { method: 'PUT', headers: AUTH, body: 'x' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
  })
})

describe('a pinned URL (?sha256=)', () => {
  it('is never served a file held with another digest (409); the held digest is served', async () => {
    const wrong = sha256('something else')
    const url = '/files/github/owner/app/releases/download/v1/app.tgz'
    const mismatch = await h.request(`${url}?sha256=${wrong}`)
    expect(mismatch.status).toBe(409)
    expect((await json(mismatch)).error).toMatch(new RegExp(`held with sha256 ${sha256(RELEASE)}, not the pinned ${wrong}`))
    const right = await h.request(`${url}?sha256=${sha256(RELEASE)}`)
    expect(right.status).toBe(200)
    expect(right.headers.get('x-checksum-sha256')).toBe(sha256(RELEASE))
  })

  it('refuses a download whose bytes differ from the pin (nothing stored), while the same URL unpinned then stores the first bytes', async () => {
    const wrong = sha256('something else')
    const refused = await h.request(`/files/nodejs/echo?fresh=1&sha256=${wrong}`)
    expect(refused.status).toBe(502)
    const error = await json(refused)
    expect(error.code).toBe('E_INTEGRITY')
    expect(error.error).toMatch(new RegExp(`hashes to ${sha256('query: /dist/echo?fresh=1')}, not the pinned sha256 ${wrong}; nothing was stored`))
    const unpinned = await h.request('/files/nodejs/echo?fresh=1')
    expect(unpinned.status).toBe(200)
    expect(await unpinned.text()).toBe('query: /dist/echo?fresh=1')
    const held = await h.request('/files/nodejs/echo?fresh=1', { method: 'HEAD' })
    expect(held.headers.get('x-checksum-sha256')).toBe(sha256('query: /dist/echo?fresh=1'))
    expect((await h.request(`/files/nodejs/echo?fresh=1&sha256=${wrong}`)).status).toBe(409)
    expect(upstream.hitCount('/dist/echo?fresh=1')).toBe(2)
  })
})

describe('when the upstream is down, or Larder offline', () => {
  it('serves what is stored and says why it cannot get the rest', async () => {
    await upstream.setFault('refuse')
    try {
      const stored = await h.request('/files/nodejs/v1/node.tar.gz')
      expect(stored.status).toBe(200)
      expect(Buffer.from(await stored.arrayBuffer()).equals(TARBALL)).toBe(true)
      expect((await h.request('/files/nodejs/v2/node.tar.gz')).status).toBe(502)
      const offline = await h.reopen({ LARDER_OFFLINE: '1', LARDER_FILES_UPSTREAMS: `github=${upstream.url},nodejs=${upstream.url}/dist` })
      try {
        const served = await offline.request('/files/github/owner/app/releases/download/v1/app.tgz')
        expect(served.status).toBe(200)
        expect(served.headers.get('x-larder-cache')).toBe('OFFLINE')
        expect(Buffer.from(await served.arrayBuffer()).equals(RELEASE)).toBe(true)
        expect((await offline.request('/files/nodejs/v3/node.tar.gz')).status).toBe(504)
      } finally {
        await offline.close()
      }
    } finally {
      await upstream.setFault(null)
    }
  })
})

describe('the start check', () => {
  it('refuses an upstream named like a hosted repository with files, naming the variable', async () => {
    const hosted = new HostedFiles(h.services.store)
    expect((await h.request('/files/mirror-me/a.txt', { method: 'PUT', headers: AUTH, body: 'x' })).status).toBe(201)
    await expect(checkUpstreamNames(hosted, { upstreams: { 'mirror-me': 'http://x' } })).rejects.toThrow(/LARDER_FILES_UPSTREAMS names mirror-me/)
    await expect(checkUpstreamNames(hosted, { upstreams: { github: 'http://x' } })).resolves.toEqual({ filesUpstreams: ['github'] })
  })
})
