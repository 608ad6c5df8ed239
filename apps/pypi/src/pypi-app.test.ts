import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CIRCUIT_FAILURE_THRESHOLD } from '@larder/core'
import { buildPythonDists, type PythonDist } from '@larder/testkit'
import { BASE, startPypiAppHarness, type PypiAppHarness } from './pypi-app.harness.js'
import { recordEntryReads } from '@larder/core/testing'

const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01'
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json'
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')
const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer())
const fileUrl = (dist: PythonDist, project: string) => `/pypi/files/${project}/${dist.sha256}/${dist.filename}`

let alpha1: { wheel: PythonDist; sdist: PythonDist }
let alpha2: { wheel: PythonDist; sdist: PythonDist }
let h: PypiAppHarness

async function keys(prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const key of h.services.store.listEntries(prefix)) out.push(key)
  return out
}

beforeAll(async () => {
  alpha1 = await buildPythonDists({ name: 'Alpha.Pkg', version: '1.0', requiresPython: '>=3.7' })
  alpha2 = await buildPythonDists({ name: 'Alpha.Pkg', version: '2.0' })
  h = await startPypiAppHarness('json', [alpha1.wheel, alpha1.sdist])
  h.upstream.publish(alpha2.wheel, { yanked: 'broken <build>' })
}, 60_000)

afterAll(async () => {
  await h?.close()
})

describe('project pages from a PEP 691 upstream', () => {
  it('serves JSON 1.1 with mirror URLs, upstream hashes, PEP 592/658/700 fields and Vary', async () => {
    const res = await h.request('/pypi/simple/alpha-pkg/', { headers: { accept: PIP_ACCEPT } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(JSON_TYPE)
    expect(res.headers.get('vary')).toBe('Accept')
    expect(res.headers.get('x-pypi-last-serial')).toBe(String(h.upstream.serial))
    const doc = (await res.json()) as any
    expect(doc.meta).toEqual({ 'api-version': '1.1' })
    expect(doc.name).toBe('alpha-pkg')
    expect(doc.versions).toEqual(['1.0', '2.0'])
    const wheel = doc.files.find((f: any) => f.filename === alpha1.wheel.filename)
    expect(wheel).toEqual({
      filename: alpha1.wheel.filename,
      url: `${BASE}${fileUrl(alpha1.wheel, 'alpha-pkg')}`,
      hashes: { sha256: alpha1.wheel.sha256 },
      'requires-python': '>=3.7',
      'core-metadata': { sha256: sha256(alpha1.wheel.metadata) },
      yanked: false,
      size: alpha1.wheel.bytes.length,
      'upload-time': '2024-01-02T03:04:05.000000Z',
    })
    expect(doc.files.find((f: any) => f.filename === alpha2.wheel.filename).yanked).toBe('broken <build>')
    expect(JSON.stringify(doc)).not.toContain('dist-info-metadata')
  })

  it('serves HTML with escaped attributes and both metadata attributes', async () => {
    const res = await h.request('/pypi/simple/alpha-pkg/', { headers: { accept: 'text/html' } })
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await res.text()
    const meta = `sha256=${sha256(alpha1.wheel.metadata)}`
    expect(html).toContain('<meta name="pypi:repository-version" content="1.1">')
    expect(html).toContain(
      `<a href="${BASE}${fileUrl(alpha1.wheel, 'alpha-pkg')}#sha256=${alpha1.wheel.sha256}" data-requires-python="&gt;=3.7" data-core-metadata="${meta}" data-dist-info-metadata="${meta}">`,
    )
    expect(html).toContain('data-yanked="broken &lt;build&gt;"')
    const v1 = await h.request('/pypi/simple/alpha-pkg/', { headers: { accept: 'application/vnd.pypi.simple.v1+html' } })
    expect(v1.headers.get('content-type')).toBe('application/vnd.pypi.simple.v1+html')
  })

  it('redirects other spellings to the canonical URL and refuses unacceptable types', async () => {
    for (const path of ['/pypi/simple/Alpha.Pkg/', '/pypi/simple/alpha_pkg/', '/pypi/simple/alpha-pkg']) {
      const res = await h.request(path)
      expect(res.status, path).toBe(301)
      expect(res.headers.get('location')).toBe(`${BASE}/pypi/simple/alpha-pkg/`)
    }
    const refused = await h.request('/pypi/simple/alpha-pkg/', { headers: { accept: 'application/json' } })
    expect(refused.status).toBe(406)
    expect(refused.headers.get('vary')).toBe('Accept')
    const rootRefused = await h.request('/pypi/simple/', { headers: { accept: 'application/json' } })
    expect(rootRefused.status).toBe(406)
    expect(rootRefused.headers.get('vary')).toBe('Accept')
    const latest = await h.request('/pypi/simple/alpha-pkg/', { headers: { accept: 'application/vnd.pypi.simple.latest+json' } })
    expect(latest.headers.get('content-type')).toBe(JSON_TYPE)
  })

  it('404s unknown projects', async () => {
    expect((await h.request('/pypi/simple/no-such-project/')).status).toBe(404)
  })
})

describe('files', () => {
  it('fetches a file once from the other host, verified, then serves it from the store', async () => {
    const path = fileUrl(alpha1.wheel, 'alpha-pkg')
    const responses = await Promise.all([h.request(path), h.request(path), h.request(path)])
    for (const res of responses) expect(sha256(await bytesOf(res))).toBe(alpha1.wheel.sha256)
    expect(h.upstream.files.hitCount(`/files/${alpha1.wheel.filename}`)).toBe(1)
    const hit = await h.request(path)
    expect(hit.headers.get('x-larder-cache')).toBe('HIT')
    await hit.arrayBuffer()
  })

  it('serves the metadata file upstream advertised, verified', async () => {
    const res = await h.request(`${fileUrl(alpha1.sdist, 'alpha-pkg')}.metadata`)
    expect(res.status).toBe(200)
    expect((await bytesOf(res)).equals(alpha1.sdist.metadata)).toBe(true)
  })

  it('refuses a file whose bytes do not match the advertised sha256 and stores nothing', async () => {
    const { wheel } = await buildPythonDists({ name: 'beta', version: '1.0' })
    const wrong = sha256('not the wheel')
    h.upstream.publish(wheel, { advertisedSha256: wrong })
    const res = await h.request(`/pypi/files/beta/${wrong}/${wheel.filename}`)
    await expect(res.arrayBuffer()).rejects.toThrow()
    expect(await keys('pypi:file:beta/')).toEqual([])
    expect((await h.request(`/pypi/files/beta/${wheel.sha256}/${wheel.filename}`)).status).toBe(404)
  })

  it('on a miss asks whether the project is private and looks the file up once each; a hit reads no page', async () => {
    const { wheel } = await buildPythonDists({ name: 'delta', version: '1.0' })
    h.upstream.publish(wheel)
    const { reads, restore } = recordEntryReads(h.services.store)
    const count = (key: string) => reads.filter((k) => k === key).length
    try {
      const miss = await h.request(`/pypi/files/delta/${wheel.sha256}/${wheel.filename}`)
      expect(sha256(await bytesOf(miss))).toBe(wheel.sha256)
      expect(count('pypi-private:project:delta')).toBe(1)
      expect(count(`pypi-private:file:delta/${wheel.filename}`)).toBe(1)
      expect(count(`pypi:file:delta/${wheel.sha256}/${wheel.filename}`)).toBe(1)
      reads.length = 0
      const hit = await h.request(`/pypi/files/delta/${wheel.sha256}/${wheel.filename}`)
      expect(hit.headers.get('x-larder-cache')).toBe('HIT')
      await hit.arrayBuffer()
      expect(reads.filter((k) => k.startsWith('pypi:simple:'))).toEqual([])
    } finally {
      restore()
    }
  })

  it('does not serve files that are not on the page', async () => {
    expect((await h.request(`/pypi/files/alpha-pkg/${'0'.repeat(64)}/${alpha1.wheel.filename}`)).status).toBe(404)
  })
})

describe('freshness and failure', () => {
  it('keeps the newer page when the upstream serves an older serial', async () => {
    const warm = await h.reopen({ LARDER_INDEX_TTL_SECONDS: '0' })
    const gamma = await buildPythonDists({ name: 'gamma', version: '1.0' })
    h.upstream.publish(gamma.wheel)
    const first = (await (await warm.request('/pypi/simple/gamma/', { headers: { accept: JSON_TYPE } })).json()) as any
    expect(first.files).toHaveLength(1)
    const serial = h.upstream.serial
    h.upstream.publish(gamma.sdist)
    h.upstream.serial = serial - 10
    const again = await warm.request('/pypi/simple/gamma/', { headers: { accept: JSON_TYPE } })
    expect(again.headers.get('x-pypi-last-serial')).toBe(String(serial))
    expect(((await again.json()) as any).files).toHaveLength(1)
    h.upstream.serial = serial + 10
    expect(((await (await warm.request('/pypi/simple/gamma/', { headers: { accept: JSON_TYPE } })).json()) as any).files).toHaveLength(2)
  })

  it('while the upstream fails under a fresh page, advertises only metadata it holds or can extract', async () => {
    const failing = await h.reopen({})
    await h.upstream.files.setFault('refuse')
    await h.upstream.index.setFault('refuse')
    try {
      // Asking for a file Larder does not hold fails until the circuit to the file host opens.
      for (let i = 0; i < DEFAULT_CIRCUIT_FAILURE_THRESHOLD; i++) {
        expect((await failing.request(fileUrl(alpha2.wheel, 'alpha-pkg'))).status).toBeGreaterThanOrEqual(500)
      }
      expect(failing.services.upstream.isCircuitOpen(`${h.upstream.files.url}/files/x`)).toBe(true)
      const res = await failing.request('/pypi/simple/alpha-pkg/', { headers: { accept: PIP_ACCEPT } })
      expect(res.headers.get('x-larder-cache')).toBe('HIT')
      const doc = (await res.json()) as any
      const advert = (name: string) => doc.files.find((f: any) => f.filename === name)['core-metadata']
      expect(advert(alpha2.wheel.filename)).toBe(false)
      expect(advert(alpha1.wheel.filename)).toEqual({ sha256: sha256(alpha1.wheel.metadata) })
      expect(advert(alpha1.sdist.filename)).toEqual({ sha256: sha256(alpha1.sdist.metadata) })
      const meta = await failing.request(`${fileUrl(alpha1.wheel, 'alpha-pkg')}.metadata`)
      expect((await bytesOf(meta)).equals(alpha1.wheel.metadata)).toBe(true)
    } finally {
      await h.upstream.files.setFault(null)
      await h.upstream.index.setFault(null)
    }
  })

  it('offline: serves cached pages, advertises only metadata it holds, and serves stored files', async () => {
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    const before = h.upstream.index.totalHits() + h.upstream.files.totalHits()
    const res = await offline.request('/pypi/simple/alpha-pkg/', { headers: { accept: PIP_ACCEPT } })
    expect(res.headers.get('x-larder-cache')).toBe('OFFLINE')
    const doc = (await res.json()) as any
    const advert = (name: string) => doc.files.find((f: any) => f.filename === name)['core-metadata']
    expect(advert(alpha1.sdist.filename)).toEqual({ sha256: sha256(alpha1.sdist.metadata) })
    expect(advert(alpha1.wheel.filename)).toEqual({ sha256: sha256(alpha1.wheel.metadata) })
    expect(advert(alpha2.wheel.filename)).toBe(false)
    const meta = await offline.request(`${fileUrl(alpha1.wheel, 'alpha-pkg')}.metadata`)
    expect((await bytesOf(meta)).equals(alpha1.wheel.metadata)).toBe(true)
    expect((await offline.request(fileUrl(alpha2.wheel, 'alpha-pkg'))).status).toBe(504)
    // Not cached, but not on the page either: that is still a 404 offline.
    expect((await offline.request(`/pypi/files/alpha-pkg/${'0'.repeat(64)}/${alpha1.wheel.filename}`)).status).toBe(404)
    expect((await offline.request(`${fileUrl(alpha2.wheel, 'alpha-pkg')}.metadata`)).status).toBe(404)
    expect(h.upstream.index.totalHits() + h.upstream.files.totalHits()).toBe(before)
  })
})
