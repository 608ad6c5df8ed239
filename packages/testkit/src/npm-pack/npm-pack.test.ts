import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { run } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'
import { packNpmPackage } from './npm-pack.js'

describe('packNpmPackage', () => {
  it('packs a default package whose digests match the tarball bytes', async () => {
    const packed = await packNpmPackage({ name: 'left-pad', version: '1.0.0', dependencies: { dep: '^2.0.0' } })
    expect(packed.filename).toBe('left-pad-1.0.0.tgz')
    expect(packed.tarball.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    expect(packed.integrity).toBe(`sha512-${createHash('sha512').update(packed.tarball).digest('base64')}`)
    expect(packed.shasum).toBe(createHash('sha1').update(packed.tarball).digest('hex'))
    expect(packed.manifest).toMatchObject({ name: 'left-pad', version: '1.0.0', main: 'index.js', dependencies: { dep: '^2.0.0' } })
    expect(packed.fileCount).toBe(2)
  })

  it('names a scoped tarball like the registry, ships the given files and bins', async () => {
    const packed = await packNpmPackage({
      name: '@fixture/tool',
      version: '2.1.0-beta.1',
      bin: { tool: 'bin/tool.js' },
      scripts: { prepare: 'exit 1' },
      files: { 'index.js': 'module.exports = 42\n', 'README.md': '# tool\n' },
      manifest: { engines: { node: '>=20' } },
    })
    expect(packed.filename).toBe('tool-2.1.0-beta.1.tgz')
    expect(packed.readme).toBe('# tool\n')
    expect(packed.manifest).toMatchObject({ bin: { tool: 'bin/tool.js' }, engines: { node: '>=20' } })

    // The tarball really holds what the spec described: unpack it with tar.
    const dir = await makeTempDir()
    try {
      await writeFile(join(dir.path, 'p.tgz'), packed.tarball)
      expect((await run('tar', ['xzf', 'p.tgz'], { cwd: dir.path })).code).toBe(0)
      expect(await readFile(join(dir.path, 'package/index.js'), 'utf8')).toBe('module.exports = 42\n')
      expect(await readFile(join(dir.path, 'package/bin/tool.js'), 'utf8')).toContain('#!/usr/bin/env node')
      const manifest = JSON.parse(await readFile(join(dir.path, 'package/package.json'), 'utf8'))
      expect(manifest.name).toBe('@fixture/tool')
    } finally {
      await dir.cleanup()
    }
  })

  it('rejects an invalid name or version, naming the field', async () => {
    await expect(packNpmPackage({ name: 'Bad Name', version: '1.0.0' })).rejects.toThrow(/name must be/)
    await expect(packNpmPackage({ name: 'ok', version: 'latest' })).rejects.toThrow(/version must be/)
  })
})
