/** Wheels and sdists with entries outside the package are refused, and an upload is all or nothing (security issue #11, findings 2 and 5). */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPythonDists, writeTarGz, writeZip, type TarEntryInput, type ZipEntryInput } from '@larder/testkit'
import { TEST_TOKEN, basicAuth, startPypiAppHarness, uploadForm, type PypiAppHarness } from './pypi-app.harness.js'

let h: PypiAppHarness
const LINK = 0o120777

beforeAll(async () => {
  h = await startPypiAppHarness('json', [])
}, 60_000)

afterAll(async () => {
  await h?.close()
})

function upload(filename: string, bytes: Buffer, version: string, extra: Record<string, string> = {}) {
  const fields = {
    ...extra,
    ':action': 'file_upload',
    protocol_version: '1',
    name: 'team-evil',
    version,
    filetype: filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
    sha256_digest: createHash('sha256').update(bytes).digest('hex'),
  }
  const form = uploadForm(fields, { filename, bytes })
  return h.request('/pypi/', { method: 'POST', headers: { 'content-type': form.contentType, authorization: basicAuth(TEST_TOKEN) }, body: form.body })
}

const metadata = (version: string) => `Metadata-Version: 2.1\nName: team-evil\nVersion: ${version}\n`
const wheel = (version: string, extra: ZipEntryInput[]) =>
  writeZip([
    { name: 'team_evil/__init__.py', data: '' },
    { name: `team_evil-${version}.dist-info/METADATA`, data: metadata(version) },
    { name: `team_evil-${version}.dist-info/WHEEL`, data: 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
    ...extra,
  ])
const sdist = (version: string, extra: TarEntryInput[]) => writeTarGz([{ name: `team_evil-${version}/PKG-INFO`, data: metadata(version) }, ...extra])

async function expectNotListed(filename: string) {
  const page = await h.request('/pypi/simple/team-evil/', { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
  if (page.status === 404) return
  expect(((await page.json()) as any).files.map((f: any) => f.filename)).not.toContain(filename)
}

describe('uploads with unsafe entries', () => {
  it.each<[string, string, Buffer, RegExp]>([
    [
      'a wheel with a zip-slip entry',
      'team_evil-1.0-py3-none-any.whl',
      wheel('1.0', [{ name: '../../../usr/lib/python3/evil.pth', data: 'import os' }]),
      /unsafe entry .*'\.\.' segment/,
    ],
    ['a wheel with an absolute path', 'team_evil-1.0-py3-none-any.whl', wheel('1.0', [{ name: '/etc/evil', data: 'x' }]), /absolute path/],
    [
      'a wheel with a symlink out',
      'team_evil-1.0-py3-none-any.whl',
      wheel('1.0', [{ name: 'team_evil/rc', data: '../../../../.bashrc', mode: LINK }]),
      /links outside the package/,
    ],
    ['an sdist with a ../ entry', 'team_evil-1.1.tar.gz', sdist('1.1', [{ name: 'team_evil-1.1/../../evil.py', data: 'x' }]), /'\.\.' segment/],
    [
      'an sdist with a symlink out',
      'team_evil-1.1.tar.gz',
      sdist('1.1', [{ name: 'team_evil-1.1/setup.py', type: 'symlink', linkTarget: '/home/user/.ssh/id_rsa' }]),
      /absolute path/,
    ],
  ])('refuses %s with a 400 and lists nothing', async (_what, filename, bytes, message) => {
    const version = filename.includes('1.0') ? '1.0' : '1.1'
    const res = await upload(filename, bytes, version)
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error).toMatch(message)
    await expectNotListed(filename)
    expect((await h.request(`/pypi/files/team-evil/${createHash('sha256').update(bytes).digest('hex')}/${filename}`)).status).toBe(404)
  })

  it('refuses a requires_python that is no version specifier, which pip could not read', async () => {
    const dists = await buildPythonDists({ name: 'team-evil', version: '3.0' })
    const res = await upload(dists.wheel.filename, dists.wheel.bytes, '3.0', { requires_python: '"><script>alert(1)</script>' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/requires_python .* is not a PEP 440 version specifier/)
    expect((await upload(dists.wheel.filename, dists.wheel.bytes, '3.0', { requires_python: '>=3.8, <4' })).status).toBe(200)
  })

  it('still takes real wheels and sdists', async () => {
    const dists = await buildPythonDists({ name: 'team-evil', version: '2.0' })
    expect((await upload(dists.wheel.filename, dists.wheel.bytes, '2.0')).status).toBe(200)
    expect((await upload(dists.sdist.filename, dists.sdist.bytes, '2.0')).status).toBe(200)
  })
})
