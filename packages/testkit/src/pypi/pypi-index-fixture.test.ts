import { describe, expect, it } from 'vitest'
import { run } from '../process/run.js'
import { buildPythonDists } from './python-dist.js'
import { startPypiIndexFixture } from './pypi-index-fixture.js'

describe('buildPythonDists', () => {
  it('builds a wheel whose METADATA is the advertised metadata, and a PEP 625 sdist', async () => {
    const { wheel, sdist } = await buildPythonDists({ name: 'Fix.Ture_pkg', version: '1.2', requiresPython: '>=3.7' })
    expect(wheel.filename).toBe('fix_ture_pkg-1.2-py3-none-any.whl')
    expect(sdist.filename).toBe('fix_ture_pkg-1.2.tar.gz')
    const script =
      'import io, sys, zipfile; sys.stdout.write(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).read("fix_ture_pkg-1.2.dist-info/METADATA").decode())'
    const read = await run('python3', ['-c', script], { input: wheel.bytes })
    expect(read.stdout).toBe(wheel.metadata.toString())
    const again = await buildPythonDists({ name: 'Fix.Ture_pkg', version: '1.2', requiresPython: '>=3.7' })
    expect(again.wheel.sha256).toBe(wheel.sha256)
  })

  it('builds a zip sdist and mislabelled dists whose metadata names another project and version', async () => {
    const { wheel, sdist } = await buildPythonDists({ name: 'zipped', version: '2.0', sdistFormat: 'zip', metadataName: 'other', metadataVersion: '9.9' })
    expect(sdist.filename).toBe('zipped-2.0.zip')
    const script = 'import io, sys, zipfile; sys.stdout.write(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).read(sys.argv[1]).decode())'
    const pkgInfo = await run('python3', ['-c', script, 'zipped-2.0/PKG-INFO'], { input: sdist.bytes })
    expect(pkgInfo.stdout).toBe(sdist.metadata.toString())
    expect(pkgInfo.stdout).toContain('Name: other\nVersion: 9.9\n')
    const metadata = await run('python3', ['-c', script, 'zipped-2.0.dist-info/METADATA'], { input: wheel.bytes })
    expect(metadata.stdout).toBe(wheel.metadata.toString())
    await expect(buildPythonDists({ name: 'x', version: '1.0', metadataName: 'a\nRequires-Dist: evil' })).rejects.toThrow(/metadataName/)
  })
})

describe('startPypiIndexFixture', () => {
  it('serves an HTML page with relative links and a JSON page with absolute links and metadata', async () => {
    const { wheel } = await buildPythonDists({ name: 'fixture-a', version: '1.0' })
    const html = await startPypiIndexFixture({ format: 'html', dists: [wheel] })
    const json = await startPypiIndexFixture({ format: 'json', dists: [wheel] })
    try {
      const page = await (await fetch(`${html.simpleUrl}/fixture-a/`)).text()
      expect(page).toContain(`href="../../files/${wheel.filename}#sha256=${wheel.sha256}"`)
      const file = Buffer.from(await (await fetch(new URL(`../../files/${wheel.filename}`, `${html.simpleUrl}/fixture-a/`))).arrayBuffer())
      expect(file.equals(wheel.bytes)).toBe(true)
      const res = await fetch(`${json.simpleUrl}/fixture-a/`)
      expect(res.headers.get('x-pypi-last-serial')).toBe(String(json.serial))
      const doc = (await res.json()) as any
      expect(doc.files[0].url.startsWith(json.files.url)).toBe(true)
      const metadata = await (await fetch(`${doc.files[0].url}.metadata`)).text()
      expect(metadata).toBe(wheel.metadata.toString())
    } finally {
      await html.stop()
      await json.stop()
    }
  })
})
