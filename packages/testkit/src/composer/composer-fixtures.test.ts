import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'
import { buildComposerPackage, composerVersionEntry } from './composer-package.js'
import { startComposerDistFixture } from './composer-dist-fixture.js'
import { startComposerMetadataFixture } from './composer-metadata-fixture.js'
import { UNSET, minifyVersions } from './minify.js'
import { writeZip } from './zip-writer.js'

const temps: { cleanup(): Promise<void> }[] = []
afterAll(async () => {
  for (const t of temps) await t.cleanup()
})

describe('minifyVersions', () => {
  it('keeps the first version whole, then only changed keys, with __unset for removed ones', () => {
    const out = minifyVersions([
      { name: 'a/b', version: '2.0.0', require: { php: '>=8' }, license: 'MIT' },
      { name: 'a/b', version: '1.0.0', require: { php: '>=7' }, license: 'MIT' },
      { name: 'a/b', version: '0.1.0', license: 'MIT' },
    ])
    expect(out).toEqual([
      { name: 'a/b', version: '2.0.0', require: { php: '>=8' }, license: 'MIT' },
      { version: '1.0.0', require: { php: '>=7' } },
      { version: '0.1.0', require: UNSET },
    ])
  })
})

describe('writeZip', () => {
  it('writes archives the real unzip reads back byte for byte', async () => {
    const dir = await makeTempDir('larder-zip-test-')
    temps.push(dir)
    const zipPath = join(dir.path, 'a.zip')
    await writeFile(
      zipPath,
      writeZip([
        { name: 'top/composer.json', data: '{"name":"a/b"}' },
        { name: 'top/raw.bin', data: Buffer.alloc(3000, 7), stored: true },
      ]),
    )
    const out = join(dir.path, 'out')
    await mkdir(out)
    const result = await run('unzip', ['-q', zipPath, '-d', out])
    expect(result.code, result.stderr).toBe(0)
    expect(await readFile(join(out, 'top/composer.json'), 'utf8')).toBe('{"name":"a/b"}')
    expect((await readFile(join(out, 'top/raw.bin'))).equals(Buffer.alloc(3000, 7))).toBe(true)
  })
})

describe('composer fixture hosts', () => {
  it('serve minified p2 files with Last-Modified, 304 on If-Modified-Since, dists on another host, advisories', async () => {
    const dists = await startComposerDistFixture()
    const lib1 = buildComposerPackage({ name: 'acme/lib', version: '1.0.0' })
    const lib2 = buildComposerPackage({ name: 'acme/lib', version: '1.1.0' })
    const meta = await startComposerMetadataFixture({ versions: [composerVersionEntry(lib1, { distUrl: dists.add(lib1) })] })
    try {
      const first = await fetch(`${meta.url}/p2/acme/lib.json`)
      const lastModified = first.headers.get('last-modified')!
      expect(((await first.json()) as { minified: string }).minified).toBe('composer/2.0')
      const unchanged = await fetch(`${meta.url}/p2/acme/lib.json`, { headers: { 'if-modified-since': lastModified } })
      expect(unchanged.status).toBe(304)
      meta.publish(composerVersionEntry(lib2, { distUrl: dists.add(lib2) }))
      const changed = await fetch(`${meta.url}/p2/acme/lib.json`, { headers: { 'if-modified-since': lastModified } })
      expect(changed.status).toBe(200)
      const versions = ((await changed.json()) as { packages: Record<string, Record<string, unknown>[]> }).packages['acme/lib']!
      expect(versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0'])
      expect(Object.keys(versions[1]!).sort()).toEqual(['dist', 'version', 'version_normalized'])
      expect((await fetch(`${meta.url}/p2/acme/nope.json`)).status).toBe(404)
      const zip = await fetch(String((versions[0]!.dist as { url: string }).url))
      expect(Buffer.from(await zip.arrayBuffer()).equals(lib2.zip)).toBe(true)
      meta.setAdvisories('acme/lib', [{ advisoryId: 'X-1' }])
      const audit = await fetch(`${meta.url}/api/security-advisories/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'packages%5B0%5D=acme%2Flib',
      })
      expect(await audit.json()).toEqual({ advisories: { 'acme/lib': [{ advisoryId: 'X-1' }] } })
    } finally {
      await meta.stop()
      await dists.stop()
    }
  })
})
