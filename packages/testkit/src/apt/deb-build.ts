/** Builds real .deb files with the real `dpkg-deb --build`, so fixture archives hold what Debian would. */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'

export const DEFAULT_DEB_ARCHITECTURE = 'all'
const NAME_PATTERN = /^[a-z0-9][a-z0-9+.-]+$/
const VERSION_PATTERN = /^[0-9][A-Za-z0-9.+~-]*$/

export interface DebSpec {
  name: string
  version: string
  architecture?: string
  /** The Depends field, e.g. 'demo-base (>= 1.0)'. */
  depends?: string
  description?: string
  /** dpkg-deb's compressor for control.tar and data.tar: xz (dpkg's default), gzip, zstd or none. */
  compression?: 'xz' | 'gzip' | 'zstd' | 'none'
}

export interface BuiltDeb {
  name: string
  version: string
  architecture: string
  /** `demo_1.0_all.deb` */
  filename: string
  bytes: Buffer
  sha256: string
}

export async function buildDeb(spec: DebSpec): Promise<BuiltDeb> {
  const { name, version, architecture = DEFAULT_DEB_ARCHITECTURE, compression = 'xz' } = spec
  if (!NAME_PATTERN.test(name)) throw new TypeError(`name must be a Debian package name, got "${name}"`)
  if (!VERSION_PATTERN.test(version)) throw new TypeError(`version must be a Debian version without epoch, got "${version}"`)
  const temp = await makeTempDir('larder-deb-')
  try {
    const root = join(temp.path, 'root')
    await mkdir(join(root, 'DEBIAN'), { recursive: true })
    await mkdir(join(root, 'usr/share/doc', name), { recursive: true })
    await writeFile(join(root, 'usr/share/doc', name, 'README'), `${name} ${version}: a Larder test package\n`)
    const fields = [
      `Package: ${name}`,
      `Version: ${version}`,
      `Architecture: ${architecture}`,
      'Maintainer: Larder Tests <tests@larder.invalid>',
      'Section: misc',
      'Priority: optional',
      ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
      `Description: ${spec.description ?? `${name} test package`}`,
      ' Built by the Larder testkit with dpkg-deb.',
    ]
    await writeFile(join(root, 'DEBIAN/control'), `${fields.join('\n')}\n`)
    const filename = `${name}_${version}_${architecture}.deb`
    const out = join(temp.path, filename)
    const built = await run('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', root, out])
    if (built.code !== 0) throw new Error(`dpkg-deb --build failed (${built.code}):\n${built.stdout}\n${built.stderr}`)
    const bytes = await readFile(out)
    return { name, version, architecture, filename, bytes, sha256: createHash('sha256').update(bytes).digest('hex') }
  } finally {
    await temp.cleanup()
  }
}
