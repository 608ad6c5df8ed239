/** A first upload of a project the upstream index has is refused (no silent takeover); listed projects are private from the start. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPythonDists, type PythonDist } from '@larder/testkit'
import { settingsOf } from '@larder/core'
import { createApp, pypiMirror } from './app.js'
import { readPypiSettings } from './settings/pypi-settings.js'
import { BASE, TEST_TOKEN, basicAuth, startPypiAppHarness, uploadForm, type PypiAppHarness } from './pypi-app.harness.js'
import { parsePrivateNames } from './private/private-names.js'

let upstreamTaken: PythonDist
let taken: PythonDist
let fresh: { wheel: PythonDist; sdist: PythonDist }
let listed: PythonDist
let h: PypiAppHarness

beforeAll(async () => {
  upstreamTaken = (await buildPythonDists({ name: 'pub-taken', version: '1.0' })).wheel
  taken = (await buildPythonDists({ name: 'Pub_Taken', version: '99.0' })).wheel
  fresh = await buildPythonDists({ name: 'pub-fresh', version: '1.0' })
  listed = (await buildPythonDists({ name: 'acme-listed', version: '1.0' })).wheel
  const upstreamListed = (await buildPythonDists({ name: 'acme-listed', version: '5.0' })).wheel
  h = await startPypiAppHarness('json', [upstreamTaken, upstreamListed])
}, 60_000)

afterAll(async () => {
  await h?.close()
})

function upload(dist: PythonDist, request = h.request) {
  const form = uploadForm(
    {
      ':action': 'file_upload',
      protocol_version: '1',
      name: dist.name,
      version: dist.version,
      filetype: dist.kind === 'wheel' ? 'bdist_wheel' : 'sdist',
      pyversion: dist.kind === 'wheel' ? 'py3' : 'source',
      metadata_version: '2.1',
      sha256_digest: dist.sha256,
    },
    { filename: dist.filename, bytes: dist.bytes },
  )
  return request('/pypi/', { method: 'POST', headers: { 'content-type': form.contentType, authorization: basicAuth(TEST_TOKEN) }, body: form.body })
}

const pageHits = (project: string) => h.upstream.index.hitCount((p) => p.includes(project))

describe('uploading a project the upstream has', () => {
  it('is refused with 409 naming LARDER_PYPI_PRIVATE_NAMES (whatever the spelling), and the upstream page is still served', async () => {
    const res = await upload(taken)
    expect(res.status).toBe(409)
    const body = (await res.json()) as any
    expect(body.code).toBe('E_CONFLICT')
    expect(body.error).toBe(
      `pub-taken exists on the upstream registry ${new URL(h.upstream.simpleUrl).origin}; publishing it here would shadow it for every client. List it in LARDER_PYPI_PRIVATE_NAMES to publish it anyway`,
    )
    const page = await h.request('/pypi/simple/pub-taken/', { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
    expect(page.headers.get('x-larder-cache')).not.toBe('PRIVATE')
    expect(((await page.json()) as any).files.map((f: any) => f.filename)).toEqual([upstreamTaken.filename])
  })

  it('uploads a project the upstream answers 404 for, and its next files without asking again', async () => {
    expect((await upload(fresh.wheel)).status).toBe(200)
    expect(pageHits('pub-fresh')).toBe(1)
    expect((await upload(fresh.sdist)).status).toBe(200)
    expect(pageHits('pub-fresh')).toBe(1)
  })

  it('a listed project (prefix acme-*) is never asked upstream: 404 until uploaded, then uploaded without a check', async () => {
    const app = createApp({ services: h.services, settings: { ...settingsOf(pypiMirror, h.services.config), privateNames: parsePrivateNames('acme-*') } })
    const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(`${BASE}${path}`, init))
    expect((await request('/pypi/simple/acme-listed/')).status).toBe(404)
    expect((await upload(listed, request)).status).toBe(200)
    const page = await request('/pypi/simple/acme-listed/', { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
    expect(((await page.json()) as any).files.map((f: any) => f.filename)).toEqual([listed.filename])
    expect(pageHits('acme-listed')).toBe(0)
  })

  it('fails closed with 503 when the upstream cannot be asked (offline, or failing)', async () => {
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    const other = (await buildPythonDists({ name: 'pub-unseen', version: '1.0' })).wheel
    const refused = await upload(other, offline.request)
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as any).hint).toContain('LARDER_PYPI_PRIVATE_NAMES')
    await h.upstream.index.setFault('status503', (p) => p.includes('pub-unseen'))
    try {
      const res = await upload(other)
      expect(res.status).toBe(503)
      expect(((await res.json()) as any).code).toBe('E_NAME_CHECK_UNAVAILABLE')
    } finally {
      await h.upstream.index.setFault(null)
    }
  })

  it('LARDER_PYPI_PRIVATE_NAMES takes names and prefixes, normalized, with a message naming it', () => {
    const names = parsePrivateNames('Acme_Tools, internal.*')
    expect(names.has('acme-tools')).toBe(true)
    expect(names.has('internal-thing')).toBe(true)
    expect(names.has('internals')).toBe(false)
    for (const bad of ['-bad', 'a*b', '*', 'has space']) expect(() => parsePrivateNames(bad)).toThrow(/LARDER_PYPI_PRIVATE_NAMES/)
    expect(() => readPypiSettings({ LARDER_PYPI_PRIVATE_NAMES: 'no/slash' })).toThrow(/LARDER_PYPI_PRIVATE_NAMES/)
  })
})
