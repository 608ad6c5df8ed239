/** Multi-MB payloads and packages built at test time for the backpressure cases. */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, run, writeZip, type BuiltDeb, type PythonDist } from '@larder/testkit'
import { BIG_PAYLOAD_BYTES } from './fault-target.js'
import { sha256Hex } from './larder-fetch.js'

/** Random text (base64), for package formats whose builders take file contents as strings; it compresses to about 3/4. */
export function bigText(bytes = BIG_PAYLOAD_BYTES): string {
  return randomBytes(Math.ceil((bytes * 3) / 4))
    .toString('base64')
    .slice(0, bytes)
}

/** A py3-none-any wheel holding a big stored (uncompressed) file beside the package and its dist-info. */
export function bigWheel(name: string, version: string, bytes = BIG_PAYLOAD_BYTES): PythonDist {
  const module = name.replace(/-/g, '_')
  const distInfo = `${module}-${version}.dist-info`
  const metadata = Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: Larder fault suite payload\n`)
  const wheelFile = 'Wheel-Version: 1.0\nGenerator: larder-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n'
  const files = [
    { name: `${module}/__init__.py`, data: `VERSION = ${JSON.stringify(version)}\n` },
    { name: `${module}/payload.bin`, data: randomBytes(bytes), stored: true },
    { name: `${distInfo}/METADATA`, data: metadata },
    { name: `${distInfo}/WHEEL`, data: wheelFile },
  ]
  const record = [...files.map((f) => `${f.name},,`), `${distInfo}/RECORD,,`].join('\n') + '\n'
  const wheel = writeZip([...files, { name: `${distInfo}/RECORD`, data: record }])
  const filename = `${module}-${version}-py3-none-any.whl`
  return { name, version, kind: 'wheel', filename, bytes: wheel, sha256: sha256Hex(wheel), metadata }
}

/** A .deb built with dpkg-deb, uncompressed, carrying a big random file. */
export async function bigDeb(name: string, version: string, bytes = BIG_PAYLOAD_BYTES): Promise<BuiltDeb> {
  const temp = await makeTempDir('larder-fault-deb-')
  try {
    const root = join(temp.path, 'root')
    await mkdir(join(root, 'DEBIAN'), { recursive: true })
    await mkdir(join(root, 'usr/share', name), { recursive: true })
    await writeFile(join(root, 'usr/share', name, 'payload.bin'), randomBytes(bytes))
    const control = [
      `Package: ${name}`,
      `Version: ${version}`,
      'Architecture: all',
      'Maintainer: Larder Tests <tests@larder.invalid>',
      `Description: ${name} fault suite payload`,
      ' A big package.',
    ]
    await writeFile(join(root, 'DEBIAN/control'), `${control.join('\n')}\n`)
    const filename = `${name}_${version}_all.deb`
    const built = await run('dpkg-deb', ['--root-owner-group', '-Znone', '--build', root, join(temp.path, filename)])
    if (built.code !== 0) throw new Error(`dpkg-deb failed (${built.code}):\n${built.stderr}`)
    const deb = await readFile(join(temp.path, filename))
    return { name, version, architecture: 'all', filename, bytes: deb, sha256: sha256Hex(deb) }
  } finally {
    await temp.cleanup()
  }
}
