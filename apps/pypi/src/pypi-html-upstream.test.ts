import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPythonDists, writeZip, type PythonDist } from '@larder/testkit'
import { BASE, startPypiAppHarness, type PypiAppHarness } from './pypi-app.harness.js'

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json'
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')
const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer())

let dists: { wheel: PythonDist; sdist: PythonDist }
let nohash: PythonDist
let nohashSdist: PythonDist
let h: PypiAppHarness

beforeAll(async () => {
  dists = await buildPythonDists({ name: 'static_pkg', version: '0.5', requiresPython: '>=3.8,<4' })
  const unhashed = await buildPythonDists({ name: 'static_pkg', version: '0.4' })
  nohash = unhashed.wheel
  nohashSdist = unhashed.sdist
  h = await startPypiAppHarness('html', [dists.wheel, dists.sdist])
  h.upstream.publish(nohash, { noHash: true })
  h.upstream.publish(nohashSdist, { noHash: true })
}, 60_000)

afterAll(async () => {
  await h?.close()
})

describe('an HTML-only static upstream', () => {
  it('reads relative links and data attributes, and claims API 1.0 without sizes', async () => {
    const doc = (await (await h.request('/pypi/simple/static-pkg/', { headers: { accept: JSON_TYPE } })).json()) as any
    expect(doc.meta).toEqual({ 'api-version': '1.0' })
    expect(doc.versions).toBeUndefined()
    const wheel = doc.files.find((f: any) => f.filename === dists.wheel.filename)
    expect(wheel).toEqual({
      filename: dists.wheel.filename,
      url: `${BASE}/pypi/files/static-pkg/${dists.wheel.sha256}/${dists.wheel.filename}`,
      hashes: { sha256: dists.wheel.sha256 },
      'requires-python': '>=3.8,<4',
      'core-metadata': false,
      yanked: false,
    })
    expect(doc.files.find((f: any) => f.filename === nohash.filename).url).toBe(`${BASE}/pypi/files/static-pkg/-/${nohash.filename}`)
  })

  it('fetches files from the page-relative link; once a wheel is stored its METADATA is advertised and served', async () => {
    const res = await h.request(`/pypi/files/static-pkg/${dists.wheel.sha256}/${dists.wheel.filename}`)
    expect(sha256(await bytesOf(res))).toBe(dists.wheel.sha256)
    expect(h.upstream.index.hitCount(`/files/${dists.wheel.filename}`)).toBe(1)
    const html = await (await h.request('/pypi/simple/static-pkg/')).text()
    expect(html).toContain(`data-core-metadata="sha256=${sha256(dists.wheel.metadata)}"`)
    const meta = await h.request(`/pypi/files/static-pkg/${dists.wheel.sha256}/${dists.wheel.filename}.metadata`)
    expect((await bytesOf(meta)).equals(dists.wheel.metadata)).toBe(true)
    const doc = (await (await h.request('/pypi/simple/static-pkg/', { headers: { accept: JSON_TYPE } })).json()) as any
    expect(doc.files.find((f: any) => f.filename === dists.wheel.filename)['core-metadata']).toEqual({ sha256: sha256(dists.wheel.metadata) })
    expect(doc.files.find((f: any) => f.filename === dists.sdist.filename)['core-metadata']).toBe(false)
  })

  it('stores a file listed without a hash as first fetched, and serves it offline', async () => {
    const path = `/pypi/files/static-pkg/-/${nohash.filename}`
    expect(sha256(await bytesOf(await h.request(path)))).toBe(nohash.sha256)
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    expect(sha256(await bytesOf(await offline.request(path)))).toBe(nohash.sha256)
  })

  it('refuses a file listed without a hash when the upstream answers with a login page or nothing, and stores none of it', async () => {
    const path = `/pypi/files/static-pkg/-/${nohashSdist.filename}`
    for (const fault of ['portal', 'empty'] as const) {
      await h.upstream.index.setFault(fault, (p) => p.endsWith(nohashSdist.filename))
      try {
        const res = await h.request(path)
        expect(res.status).toBe(502)
        expect(await res.json()).toMatchObject({ code: 'E_UPSTREAM_GARBAGE' })
      } finally {
        await h.upstream.index.setFault(null)
      }
    }
    expect(sha256(await bytesOf(await h.request(path)))).toBe(nohashSdist.sha256)
  })

  it('never advertises metadata it cannot read out of a stored wheel (a dist-info named otherwise)', async () => {
    const metadata = Buffer.from('Metadata-Version: 2.1\nName: static_pkg\nVersion: 0.2\n')
    const bytes = writeZip([
      { name: 'static_pkg/__init__.py', data: '' },
      { name: 'elsewhere-0.2.dist-info/METADATA', data: metadata },
    ])
    const filename = 'static_pkg-0.2-py3-none-any.whl'
    h.upstream.publish({ name: 'static_pkg', version: '0.2', kind: 'wheel', filename, bytes, sha256: sha256(bytes), metadata })
    const path = `/pypi/files/static-pkg/${sha256(bytes)}/${filename}`
    expect(sha256(await bytesOf(await h.request(path)))).toBe(sha256(bytes))
    for (let round = 0; round < 2; round++) {
      const doc = (await (await h.request('/pypi/simple/static-pkg/', { headers: { accept: JSON_TYPE } })).json()) as any
      expect(doc.files.find((f: any) => f.filename === filename)['core-metadata']).toBe(false)
    }
    expect((await h.request(`${path}.metadata`)).status).toBe(404)
  })

  it('serves the page stale when the upstream is down, advertising only stored metadata', async () => {
    const warm = await h.reopen({ LARDER_INDEX_TTL_SECONDS: '0' })
    await h.upstream.index.setFault('refuse')
    try {
      const res = await warm.request('/pypi/simple/static-pkg/', { headers: { accept: 'text/html' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-larder-cache')).toBe('STALE')
      expect(res.headers.get('x-larder-stale')).toBeTruthy()
      const anchors = (await res.text()).split('\n').filter((line) => line.includes('<a '))
      const advertised = anchors.filter((a) => a.includes('data-core-metadata')).map((a) => />([^<]+)<\/a>/.exec(a)![1])
      expect(advertised.sort()).toEqual([nohash.filename, dists.wheel.filename].sort())
      expect((await warm.request(`/pypi/files/static-pkg/${dists.sdist.sha256}/${dists.sdist.filename}`)).status).toBeGreaterThanOrEqual(500)
    } finally {
      await h.upstream.index.setFault(null)
    }
  })

  it('keeps the page it holds when the upstream answers 200 with something that is no index page', async () => {
    const warm = await h.reopen({ LARDER_INDEX_TTL_SECONDS: '0' })
    await h.upstream.index.setFault('garbage')
    try {
      const res = await warm.request('/pypi/simple/static-pkg/', { headers: { accept: JSON_TYPE } })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-larder-cache')).toBe('STALE')
      expect(res.headers.get('x-larder-stale')).toBe('E_UPSTREAM_GARBAGE')
      const doc = (await res.json()) as { files: { filename: string }[] }
      expect(doc.files.map((f) => f.filename)).toContain(dists.wheel.filename)
      // A project never seen is refused, not stored as one with nothing to install.
      const cold = await warm.request('/pypi/simple/other-pkg/', { headers: { accept: JSON_TYPE } })
      expect(cold.status).toBe(502)
      expect(await cold.json()).toMatchObject({ code: 'E_UPSTREAM_GARBAGE' })
    } finally {
      await h.upstream.index.setFault(null)
    }
  })

  it('lists the upstream projects on the root page', async () => {
    const res = await h.request('/pypi/simple/', { headers: { accept: JSON_TYPE } })
    expect(res.headers.get('vary')).toBe('Accept')
    expect((await res.json()) as any).toEqual({ meta: { 'api-version': '1.0' }, projects: [{ name: 'static_pkg' }] })
    const html = await (await h.request('/pypi/simple/')).text()
    expect(html).toContain(`<a href="${BASE}/pypi/simple/static-pkg/">static_pkg</a>`)
  })
})
