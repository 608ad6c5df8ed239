import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPythonDists, type PythonDist } from '@larder/testkit'
import { TEST_TOKEN, basicAuth, startPypiAppHarness, uploadForm, type PypiAppHarness } from './pypi-app.harness.js'

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json'
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

let own: { wheel: PythonDist; sdist: PythonDist }
let publicShadow: PythonDist
let h: PypiAppHarness

const fieldsFor = (dist: PythonDist, extra: Record<string, string> = {}) => ({
  ':action': 'file_upload',
  protocol_version: '1',
  name: dist.name,
  version: dist.version,
  filetype: dist.kind === 'wheel' ? 'bdist_wheel' : 'sdist',
  pyversion: dist.kind === 'wheel' ? 'py3' : 'source',
  metadata_version: '2.1',
  sha256_digest: dist.sha256,
  ...extra,
})

function upload(dist: PythonDist, options: { token?: string; fields?: Record<string, string>; filename?: string } = {}) {
  const form = uploadForm(fieldsFor(dist, options.fields), { filename: options.filename ?? dist.filename, bytes: dist.bytes })
  const headers: Record<string, string> = { 'content-type': form.contentType }
  if (options.token !== undefined) headers.authorization = basicAuth(options.token)
  return h.request('/pypi/', { method: 'POST', headers, body: form.body })
}

async function allKeys(): Promise<string[]> {
  const out: string[] = []
  for (const prefix of ['pypi:', 'pypi-private:']) for await (const key of h.services.store.listEntries(prefix)) out.push(key)
  return out.sort()
}

beforeAll(async () => {
  own = await buildPythonDists({ name: 'Team_Tool', version: '3.1', requiresPython: '>=3.9' })
  publicShadow = (await buildPythonDists({ name: 'team-tool', version: '99.0' })).wheel
  h = await startPypiAppHarness('json', [publicShadow])
}, 60_000)

afterAll(async () => {
  await h?.close()
})

describe('upload', () => {
  it('refuses uploads without a token, or with a token of another ecosystem, storing nothing', async () => {
    const before = await allKeys()
    expect((await upload(own.wheel)).status).toBe(401)
    expect((await upload(own.wheel, { token: 'wrong-token-000' })).status).toBe(401)
    expect((await upload(own.wheel, { token: 'npm-only-token-1' })).status).toBe(403)
    expect(await allKeys()).toEqual(before)
  })

  it('publishes a wheel and an sdist; the page lists them with PEP 658 metadata from the wheel', async () => {
    expect((await upload(own.wheel, { token: TEST_TOKEN, fields: { requires_python: '>=3.9' } })).status).toBe(200)
    expect((await upload(own.sdist, { token: TEST_TOKEN })).status).toBe(200)
    const res = await h.request('/pypi/simple/team-tool/', { headers: { accept: JSON_TYPE } })
    expect(res.headers.get('x-larder-cache')).toBe('PRIVATE')
    const doc = await res.json() as any
    expect(doc.meta['api-version']).toBe('1.1')
    expect(doc.versions).toEqual(['3.1'])
    expect(doc.files.map((f: any) => f.filename)).toEqual([own.wheel.filename, own.sdist.filename])
    const wheel = doc.files[0]
    expect(wheel).toMatchObject({ hashes: { sha256: own.wheel.sha256 }, 'requires-python': '>=3.9', size: own.wheel.bytes.length, yanked: false })
    expect(wheel['core-metadata']).toEqual({ sha256: sha256(own.wheel.metadata) })
    expect(doc.files[1]['core-metadata']).toBe(false)
    const file = await h.request(new URL(wheel.url).pathname)
    expect(Buffer.from(await file.arrayBuffer()).equals(own.wheel.bytes)).toBe(true)
    const meta = await h.request(`${new URL(wheel.url).pathname}.metadata`)
    expect(Buffer.from(await meta.arrayBuffer()).equals(own.wheel.metadata)).toBe(true)
  })

  it('shadows the upstream project of the same name entirely', async () => {
    const doc = await (await h.request('/pypi/simple/team-tool/', { headers: { accept: JSON_TYPE } })).json() as any
    expect(doc.files.some((f: any) => f.filename === publicShadow.filename)).toBe(false)
    expect((await h.request(`/pypi/files/team-tool/${publicShadow.sha256}/${publicShadow.filename}`)).status).toBe(404)
    expect(h.upstream.index.hitCount((p) => p.includes('team-tool'))).toBe(0)
  })

  it('lists private projects on the root page', async () => {
    const doc = await (await h.request('/pypi/simple/', { headers: { accept: JSON_TYPE } })).json() as any
    expect(doc.projects[0]).toEqual({ name: 'team-tool' })
    expect(doc.projects.filter((p: any) => p.name.replace(/[-_.]+/g, '-').toLowerCase() === 'team-tool')).toHaveLength(1)
  })

  it('refuses the same file name twice, like PyPI', async () => {
    const res = await upload(own.wheel, { token: TEST_TOKEN })
    expect(res.status).toBe(400)
    expect((await res.json() as any).error).toMatch(/File already exists/)
  })

  it('refuses bad forms with a clear 400 and stores nothing', async () => {
    const { wheel } = await buildPythonDists({ name: 'team-tool', version: '3.2' })
    const before = await allKeys()
    const cases: [Parameters<typeof upload>[1], RegExp][] = [
      [{ fields: { sha256_digest: sha256('other') } }, /digest/],
      [{ fields: { name: 'other-project' } }, /not of other-project/],
      [{ fields: { version: '3.3' } }, /version 3.2/],
      [{ fields: { version: 'not a version' } }, /PEP 440/],
      [{ fields: { ':action': 'remove_pkg' } }, /:action/],
      [{ filename: '../../etc/passwd' }, /valid distribution file name/],
      [{ filename: 'team_tool-3.2.exe' }, /neither a wheel nor an sdist/],
    ]
    for (const [options, message] of cases) {
      const res = await upload(wheel, { token: TEST_TOKEN, ...options })
      expect(res.status, String(message)).toBe(400)
      expect((await res.json() as any).error).toMatch(message)
    }
    const auth = { authorization: basicAuth(TEST_TOKEN) }
    const malformed = [
      { 'content-type': 'application/json', body: '{}' },
      { 'content-type': 'multipart/form-data; boundary=xyz', body: '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nno end' },
      { 'content-type': 'multipart/form-data', body: 'x' },
    ]
    for (const { body, ...headers } of malformed) {
      const res = await h.request('/pypi/', { method: 'POST', headers: { ...auth, ...headers }, body })
      expect(res.status).toBe(400)
    }
    expect(await allKeys()).toEqual(before)
  })

  it('refuses an oversized upload with 413', async () => {
    const small = await h.reopen({ LARDER_MAX_UPLOAD_MB: '1' })
    const form = uploadForm({ ':action': 'file_upload', name: 'big', version: '1.0' }, { filename: 'big-1.0.tar.gz', bytes: Buffer.alloc(1_100_000) })
    const res = await small.request('/pypi/', {
      method: 'POST',
      headers: { authorization: basicAuth(TEST_TOKEN), 'content-type': form.contentType },
      body: form.body,
    })
    expect(res.status).toBe(413)
    expect(await small.services.store.getEntry('pypi-private:project:big')).toBeUndefined()
  })
})

describe('bad paths', () => {
  it('answers traversal attempts in any encoding with a 4xx and stores nothing', async () => {
    const before = await allKeys()
    const hits = h.upstream.index.totalHits() + h.upstream.files.totalHits()
    const paths = [
      '/pypi/simple/..%2f..%2fetc/',
      '/pypi/simple/%2e%2e/',
      '/pypi/simple/%252e%252e%252fetc/',
      '/pypi/simple/a%00b/',
      '/pypi/simple/%c0%ae%c0%ae/',
      '/pypi/simple/a/b/',
      `/pypi/files/team-tool/${'a'.repeat(64)}/..%2f..%2fpasswd`,
      `/pypi/files/team-tool/${'a'.repeat(64)}/%2e%2e`,
      '/pypi/files/team-tool/..%2f/x.whl',
      `/pypi/files/..%2fetc/${'a'.repeat(64)}/x.whl`,
      `/pypi/files/Team_Tool/${'a'.repeat(64)}/x.whl`,
      '/pypi/files/team-tool/x.whl',
      '/pypi/files/team-tool/%5c..%5c/x.whl',
      '/pypi/simple/%E2%80%AE/',
    ]
    for (const path of paths) {
      const res = await h.request(path)
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.status, path).toBeLessThan(500)
    }
    expect(await allKeys()).toEqual(before)
    expect(h.upstream.index.totalHits() + h.upstream.files.totalHits()).toBe(hits)
  })
})
