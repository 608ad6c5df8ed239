/** Host and X-Forwarded-* decide links only when they may: forwarded headers from trusted proxies only, Host from the served list. */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, startNpmRegistryFixture, type NpmRegistryFixture } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

interface RawAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** node:http rather than fetch: fetch does not let a caller choose the Host header. */
function get(url: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const EVIL = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', 'x-forwarded-prefix': '/x' }

let fixture: NpmRegistryFixture
const started: LarderServer[] = []

beforeAll(async () => {
  fixture = await startNpmRegistryFixture({ packages: [await packNpmPackage({ name: 'host-check', version: '1.0.0' })] })
})
afterAll(async () => {
  for (const larder of started) await larder.stop()
  await fixture?.stop()
})

async function start(env: Record<string, string>): Promise<LarderServer> {
  const larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: fixture.url, LARDER_PYPI_UPSTREAM: 'http://127.0.0.1:1/simple', ...env } })
  started.push(larder)
  return larder
}

const tarballOf = (answer: RawAnswer) =>
  (JSON.parse(answer.body) as { versions: Record<string, { dist: { tarball: string } }> }).versions['1.0.0']!.dist.tarball

describe('forwarded headers and Host', () => {
  it('ignores X-Forwarded-* from a client that is not a trusted proxy: redirects and links keep the real host', async () => {
    const larder = await start({})
    const redirect = await get(`${larder.url}/pypi/simple`, EVIL)
    expect(redirect.status).toBe(301)
    expect(redirect.headers.location).toBe(`${larder.url}/pypi/simple/`)
    const packument = await get(`${larder.url}/npm/host-check`, EVIL)
    expect(tarballOf(packument)).toBe(`${larder.url}/npm/host-check/-/host-check-1.0.0.tgz`)
  })

  it('follows X-Forwarded-* from a proxy in LARDER_TRUSTED_PROXIES', async () => {
    const larder = await start({ LARDER_TRUSTED_PROXIES: '127.0.0.1,::1' })
    const redirect = await get(`${larder.url}/pypi/simple`, EVIL)
    expect(redirect.headers.location).toBe('https://evil.example/x/pypi/simple/')
    expect(tarballOf(await get(`${larder.url}/npm/host-check`, EVIL))).toBe('https://evil.example/x/npm/host-check/-/host-check-1.0.0.tgz')
  })

  it('with LARDER_ALLOWED_HOSTS, refuses other Host and forwarded hosts, but keeps health checks and loopback working', async () => {
    const larder = await start({ LARDER_ALLOWED_HOSTS: 'mirror.example:8080', LARDER_TRUSTED_PROXIES: '127.0.0.1' })
    const port = larder.port
    const allowed = await get(`${larder.url}/npm/host-check`, { host: 'mirror.example:8080' })
    expect(allowed.status).toBe(200)
    expect(tarballOf(allowed)).toBe('http://mirror.example:8080/npm/host-check/-/host-check-1.0.0.tgz')
    const other = await get(`${larder.url}/npm/host-check`, { host: 'evil.example' })
    expect(other.status).toBe(400)
    expect(JSON.parse(other.body)).toMatchObject({ code: 'E_BAD_REQUEST', hint: expect.stringMatching(/LARDER_ALLOWED_HOSTS/) })
    const forwarded = await get(`${larder.url}/npm/host-check`, { host: 'mirror.example:8080', 'x-forwarded-host': 'evil.example' })
    expect(forwarded.status).toBe(400)
    expect((await get(`${larder.url}/healthz`, { host: 'evil.example' })).status).toBe(200)
    expect((await get(`${larder.url}/npm/host-check`, { host: `127.0.0.1:${port}` })).status).toBe(200)
  })

  it('with LARDER_PUBLIC_URL, serves its host and writes it into links whatever the headers say', async () => {
    const larder = await start({ LARDER_PUBLIC_URL: 'https://pkgs.example.com' })
    const answer = await get(`${larder.url}/npm/host-check`, { host: 'pkgs.example.com', ...EVIL })
    expect(tarballOf(answer)).toBe('https://pkgs.example.com/npm/host-check/-/host-check-1.0.0.tgz')
    expect((await get(`${larder.url}/npm/host-check`, { host: 'evil.example' })).status).toBe(400)
  })
})
