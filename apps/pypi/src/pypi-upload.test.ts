import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
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

interface UploadOptions {
  token?: string
  /** Basic auth user name; default __token__. */
  username?: string
  fields?: Record<string, string>
  /** Form fields to leave out. */
  omit?: string[]
  filename?: string
  /** Other bytes than the dist's; the digest sent is theirs. */
  bytes?: Buffer
}

function upload(dist: PythonDist, options: UploadOptions = {}) {
  const bytes = options.bytes ?? dist.bytes
  const fields = fieldsFor(dist, { sha256_digest: sha256(bytes), ...options.fields })
  for (const name of options.omit ?? []) delete fields[name as keyof typeof fields]
  const form = uploadForm(fields, { filename: options.filename ?? dist.filename, bytes })
  const headers: Record<string, string> = { 'content-type': form.contentType }
  if (options.token !== undefined) {
    headers.authorization =
      options.username === undefined ? basicAuth(options.token) : `Basic ${Buffer.from(`${options.username}:${options.token}`).toString('base64')}`
  }
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
  // Shadowing a public project is the scenario here: only a listed name may do it.
  h = await startPypiAppHarness('json', [publicShadow], { LARDER_PYPI_PRIVATE_NAMES: 'team-tool' })
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
    const doc = (await res.json()) as any
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
    const doc = (await (await h.request('/pypi/simple/team-tool/', { headers: { accept: JSON_TYPE } })).json()) as any
    expect(doc.files.some((f: any) => f.filename === publicShadow.filename)).toBe(false)
    expect((await h.request(`/pypi/files/team-tool/${publicShadow.sha256}/${publicShadow.filename}`)).status).toBe(404)
    expect(h.upstream.index.hitCount((p) => p.includes('team-tool'))).toBe(0)
  })

  it('lists private projects on the root page', async () => {
    const doc = (await (await h.request('/pypi/simple/', { headers: { accept: JSON_TYPE } })).json()) as any
    expect(doc.projects[0]).toEqual({ name: 'team-tool' })
    expect(doc.projects.filter((p: any) => p.name.replace(/[-_.]+/g, '-').toLowerCase() === 'team-tool')).toHaveLength(1)
  })

  it('refuses the same file name twice, like PyPI', async () => {
    const res = await upload(own.wheel, { token: TEST_TOKEN })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error).toMatch(/File already exists/)
  })

  it('refuses the same release file under another spelling: version, name in the file name, second sdist', async () => {
    const before = await allKeys()
    const respelled = await buildPythonDists({ name: 'team-tool', version: '3.1.0' })
    const again = await upload(respelled.wheel, { token: TEST_TOKEN })
    expect(again.status).toBe(400)
    expect(((await again.json()) as any).error).toMatch(
      /File already exists \('team_tool-3\.1\.0-py3-none-any\.whl' is the same file as 'team_tool-3\.1-py3-none-any\.whl'\)/,
    )
    const sdist = await upload(respelled.sdist, { token: TEST_TOKEN })
    expect(sdist.status).toBe(400)
    expect(((await sdist.json()) as any).error).toMatch(/Only one sdist may be uploaded per release/)
    const dotted = await upload(own.wheel, { token: TEST_TOKEN, filename: 'Team.Tool-3.1-py3-none-any.whl' })
    expect(dotted.status).toBe(400)
    expect(((await dotted.json()) as any).error).toMatch(/not a normalized wheel file name; it should be "team_tool-3\.1-py3-none-any\.whl"/)
    expect(await allKeys()).toEqual(before)
  })

  it('refuses a wheel or sdist whose metadata names another project or version than the form', async () => {
    const before = await allKeys()
    const otherName = await buildPythonDists({ name: 'team-tool', version: '3.2', metadataName: 'someone-else' })
    const otherVersion = await buildPythonDists({ name: 'team-tool', version: '3.2', metadataVersion: '3.3' })
    const cases: [PythonDist, RegExp][] = [
      [otherName.wheel, /METADATA of team_tool-3\.2-py3-none-any\.whl names project "someone-else"/],
      [otherVersion.wheel, /METADATA of team_tool-3\.2-py3-none-any\.whl says version "3\.3", the form says 3\.2/],
      [otherVersion.sdist, /PKG-INFO of team_tool-3\.2\.tar\.gz says version "3\.3"/],
    ]
    for (const [dist, message] of cases) {
      const res = await upload(dist, { token: TEST_TOKEN })
      expect(res.status, String(message)).toBe(400)
      expect(((await res.json()) as any).error).toMatch(message)
    }
    expect(await allKeys()).toEqual(before)
  })

  it('takes .tar.gz and .zip sdists holding {name}-{version}/PKG-INFO, and nothing else', async () => {
    const before = await allKeys()
    const { sdist } = await buildPythonDists({ name: 'team-tool', version: '3.5' })
    const cases: [UploadOptions, RegExp][] = [
      [{ filename: 'team_tool-3.5.tar.bz2' }, /not a \.tar\.gz or \.zip sdist/],
      [{ filename: 'team_tool-3.5.tgz' }, /not a \.tar\.gz or \.zip sdist/],
      [{ bytes: Buffer.from('not an archive at all') }, /team_tool-3\.5\.tar\.gz is not a readable archive with team_tool-3\.5\/PKG-INFO/],
      [{ bytes: sdist.bytes.subarray(0, 40) }, /not a readable archive/],
      [{ filename: 'team_tool-3.6.tar.gz', fields: { version: '3.6' } }, /not a readable archive with team_tool-3\.6\/PKG-INFO/],
      [{ filename: 'team_tool-3.5.zip' }, /not a readable archive with team_tool-3\.5\/PKG-INFO/],
    ]
    for (const [options, message] of cases) {
      const res = await upload(sdist, { token: TEST_TOKEN, ...options })
      expect(res.status, String(message)).toBe(400)
      expect(((await res.json()) as any).error).toMatch(message)
    }
    expect(await allKeys()).toEqual(before)
    const zipped = await buildPythonDists({ name: 'team-tool', version: '3.6', sdistFormat: 'zip' })
    expect((await upload(zipped.sdist, { token: TEST_TOKEN })).status).toBe(200)
    const doc = (await (await h.request('/pypi/simple/team-tool/', { headers: { accept: JSON_TYPE } })).json()) as any
    expect(doc.files.map((f: any) => f.filename)).toContain('team_tool-3.6.zip')
  })

  it('requires a sha256 digest and the __token__ user name', async () => {
    const before = await allKeys()
    const { wheel } = await buildPythonDists({ name: 'team-tool', version: '3.7' })
    const md5 = createHash('md5').update(wheel.bytes).digest('hex')
    const md5Only = await upload(wheel, { token: TEST_TOKEN, omit: ['sha256_digest'], fields: { md5_digest: md5 } })
    expect(md5Only.status).toBe(400)
    expect(((await md5Only.json()) as any).error).toMatch(/no sha256_digest/)
    const named = await upload(wheel, { token: TEST_TOKEN, username: 'alice' })
    expect(named.status).toBe(401)
    expect(((await named.json()) as any).hint).toMatch(/user name __token__/)
    expect(await allKeys()).toEqual(before)
    expect((await upload(wheel, { token: TEST_TOKEN })).status).toBe(200)
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
      expect(((await res.json()) as any).error).toMatch(message)
    }
    const auth = { authorization: basicAuth(TEST_TOKEN) }
    const malformed = [
      { 'content-type': 'application/json', body: '{}' },
      { 'content-type': 'multipart/form-data; boundary=xyz', body: '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nno end' },
      { 'content-type': 'multipart/form-data', body: 'x' },
    ]
    for (const { body, ...headers } of malformed) {
      const res = await h.request('/pypi/', { method: 'POST', headers: { ...auth, ...headers }, body })
      expect(res.status).toBe(headers['content-type'] === 'application/json' ? 415 : 400)
    }
    expect(await allKeys()).toEqual(before)
    // Refused uploads leave nothing in the spool folder either.
    expect((await readdir(h.services.store.spoolDir)).filter((file) => file.startsWith('upload-'))).toEqual([])
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
    expect(((await res.json()) as { error: string }).error).toMatch(/over the upload limit of 1 MB \(LARDER_MAX_UPLOAD_MB\)/)
    expect(await small.services.store.getEntry('pypi-private:project:big')).toBeUndefined()
    expect((await readdir(small.services.store.spoolDir)).filter((file) => file.startsWith('upload-'))).toEqual([])
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
