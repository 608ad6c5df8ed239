import { randomBytes } from 'node:crypto'
import { openMirrorTestApp, type MirrorTestApp } from '@larder/core/testing'
import { packNpmPackage, startFixtureServer, type FixtureServer, type PackedPackage } from '@larder/testkit'
import type { Hono } from 'hono'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { npmMirror } from '../app.js'

/**
 * A registry whose packument answer waits until the test lets it go, so a test can tell whether a
 * tarball's bytes started flowing before the packument was read. `atUsualPath` is what the registry
 * serves at /<name>/-/<file>; the packument points at `tarballPath`.
 */
interface RegistryScript {
  atUsualPath: Buffer | 'missing'
  tarballPath: string
}

let pkg: PackedPackage
let registry: FixtureServer
let harness: MirrorTestApp<Hono<any>>
let releasePackument: () => void

async function open(script: RegistryScript): Promise<void> {
  let release!: () => void
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  releasePackument = release
  registry = await startFixtureServer({
    handler: async (req, res) => {
      if (req.url === `/${pkg.name}`) {
        await released
        const version = { ...pkg.manifest, dist: { tarball: `${registry.url}${script.tarballPath}`, integrity: pkg.integrity, shasum: pkg.shasum } }
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ name: pkg.name, 'dist-tags': { latest: pkg.version }, versions: { [pkg.version]: version } }))
      }
      const body = req.url === script.tarballPath ? pkg.tarball : req.url === `/${pkg.name}/-/${pkg.filename}` ? script.atUsualPath : 'missing'
      if (body === 'missing') return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
      res.end(body)
    },
  })
  harness = await openMirrorTestApp({ mirror: npmMirror, env: () => ({ LARDER_NPM_UPSTREAM: registry.url, LARDER_UPSTREAM_RETRIES: '0' }) })
}

const tarballUrl = () => `/npm/${pkg.name}/-/${pkg.filename}`

beforeAll(async () => {
  pkg = await packNpmPackage({ name: 'cold-guess', version: '1.0.0', files: { 'data.txt': randomBytes(200_000).toString('base64') } })
})

afterEach(async () => {
  releasePackument?.()
  await harness?.close()
  await registry?.stop()
})

describe('a tarball asked for before its packument', () => {
  it('streams from the usual address at once, and holds its end until the packument vouches for it', async () => {
    await open({ atUsualPath: pkg.tarball, tarballPath: `/${pkg.name}/-/${pkg.filename}` })
    // The head needs the first body byte: it can only come while the packument is still held back.
    const response = await harness.request(tarballUrl())
    expect(response.status).toBe(200)
    expect(response.headers.get('x-larder-cache')).toBe('MISS')
    const reader = response.body!.getReader()
    let received = 0
    while (received < pkg.tarball.length - 1) {
      const { value, done } = await reader.read()
      if (done) break
      received += value.length
    }
    expect(received).toBe(pkg.tarball.length - 1)
    expect(registry.hitCount(`/${pkg.name}`)).toBe(1)
    releasePackument()
    const rest = await reader.read()
    expect(received + (rest.value?.length ?? 0)).toBe(pkg.tarball.length)
    expect((await reader.read()).done).toBe(true)

    const again = await harness.request(tarballUrl())
    expect(again.headers.get('x-larder-cache')).toBe('HIT')
    expect(Buffer.from(await again.arrayBuffer()).equals(pkg.tarball)).toBe(true)
    expect(registry.hitCount((path) => path.endsWith('.tgz'))).toBe(1)
  })

  it('fetches from the packument’s address when the usual one has nothing', async () => {
    await open({ atUsualPath: 'missing', tarballPath: `/cdn/${pkg.filename}` })
    releasePackument()
    const response = await harness.request(tarballUrl())
    expect(response.status).toBe(200)
    expect(Buffer.from(await response.arrayBuffer()).equals(pkg.tarball)).toBe(true)
    expect(registry.hitCount(`/cdn/${pkg.filename}`)).toBe(1)
  })

  it('stores nothing when the usual address has other bytes, and asks the packument’s address from then on', async () => {
    await open({ atUsualPath: randomBytes(pkg.tarball.length), tarballPath: `/cdn/${pkg.filename}` })
    releasePackument()
    const refused = await harness.request(tarballUrl())
    await expect(refused.arrayBuffer()).rejects.toThrow()
    const stored = await harness.services.store.getEntry(`npm:tarball:${pkg.name}/${pkg.filename}`)
    expect(stored).toBeUndefined()
    const next = await harness.request(tarballUrl())
    expect(next.status).toBe(200)
    expect(Buffer.from(await next.arrayBuffer()).equals(pkg.tarball)).toBe(true)
    expect(registry.hitCount(`/cdn/${pkg.filename}`)).toBe(1)
  })
})
