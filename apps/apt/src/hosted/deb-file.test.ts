import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { isLarderError } from '@larder/core'
import { buildDeb, makeTempDir, run } from '@larder/testkit'
import { checkControl, readArMembers, readDebControl } from './deb-file.js'

/** An ar archive as dpkg-deb writes one (no checks: tests hand it hostile members). */
function arArchive(members: Array<[name: string, data: Buffer]>): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')]
  for (const [name, data] of members) {
    const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`
    parts.push(Buffer.from(header, 'latin1'), data, data.length % 2 ? Buffer.from('\n') : Buffer.alloc(0))
  }
  return Buffer.concat(parts)
}

/** A .deb around a control file dpkg-deb would refuse to build. */
async function handMadeDeb(control: string): Promise<Buffer> {
  const temp = await makeTempDir('larder-hand-deb-')
  try {
    await mkdir(join(temp.path, 'c'))
    await writeFile(join(temp.path, 'c', 'control'), control)
    const tar = await run('tar', ['--format=ustar', '-cf', join(temp.path, 'control.tar'), '-C', join(temp.path, 'c'), './control'])
    expect(tar.code, tar.stderr).toBe(0)
    const controlTar = gzipSync(await readFile(join(temp.path, 'control.tar')))
    return arArchive([
      ['debian-binary', Buffer.from('2.0\n')],
      ['control.tar.gz', controlTar],
      ['data.tar.gz', gzipSync(Buffer.alloc(1024))],
    ])
  } finally {
    await temp.cleanup()
  }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(isLarderError(error) && error.status === 400, `expected a 400, got ${String(error)}`).toBe(true)
  return (error as Error).message
}

describe('reading uploaded .debs', () => {
  it('reads the control file of .debs built by dpkg-deb with each compressor', async () => {
    for (const compression of ['xz', 'gzip', 'zstd', 'none'] as const) {
      const deb = await buildDeb({ name: 'libdemo1', version: '1.2~rc1-1', architecture: 'arm64', depends: 'libc6', compression })
      const control = await readDebControl(deb.bytes)
      expect(control.package, compression).toBe('libdemo1')
      expect(control.version).toBe('1.2~rc1-1')
      expect(control.poolPath).toBe('pool/main/libd/libdemo1/libdemo1_1.2~rc1-1_arm64.deb')
      expect(control.stanza.find(([n]) => n === 'Depends')?.[1]).toBe('libc6')
    }
  }, 60_000)

  it('drops the epoch from the file name, as Debian does', () => {
    const control = checkControl([
      ['Package', 'tool'],
      ['Version', '2:1.0-1'],
      ['Architecture', 'all'],
    ])
    expect(control.filename).toBe('tool_1.0-1_all.deb')
  })

  it('refuses files that are not .debs and control fields that could escape the pool', async () => {
    const refusals = [
      () => readDebControl(Buffer.from('not an archive')),
      () => readDebControl(Buffer.from('!<arch>\ndebian-binary   0           0     0     100644  999       `\n2.0\n')),
      async () =>
        checkControl([
          ['Package', '../x'],
          ['Version', '1'],
          ['Architecture', 'all'],
        ]),
      async () =>
        checkControl([
          ['Package', 'x'],
          ['Version', '1/../../y'],
          ['Architecture', 'all'],
        ]),
      async () =>
        checkControl([
          ['Package', 'x'],
          ['Version', '1'],
          ['Architecture', 'a/b'],
        ]),
    ]
    for (const refuse of refusals) {
      const error = await refuse().then(
        () => undefined,
        (err: unknown) => err,
      )
      expect(isLarderError(error) && error.status === 400, String(error)).toBe(true)
    }
    await expect(readArMembers(Buffer.from('!<arch>\nshort'))).resolves.toEqual([])
  })

  it('reads a hand-made .deb (the helper below makes valid ones)', async () => {
    const control = await readDebControl(await handMadeDeb('Package: plain\nVersion: 1.0\nArchitecture: all\nDescription: ok\n long text\n'))
    expect(control.poolPath).toBe('pool/main/p/plain/plain_1.0_all.deb')
  })

  it('refuses control files that would corrupt the Packages entry they are copied into', async () => {
    const head = 'Package: sneaky\nVersion: 1.0\nArchitecture: all\n'
    // A Description line starting at column 0 is a field of its own: a second Package (or Filename, SHA256...).
    expect(await refusal(readDebControl(await handMadeDeb(`${head}Description: x\nPackage: other\n`)))).toMatch(/Package twice/)
    expect(await refusal(readDebControl(await handMadeDeb(`${head}Depends: a\ndepends: b\nDescription: x\n`)))).toMatch(/twice/)
    expect(await refusal(readDebControl(await handMadeDeb(`${head}Description: x\n\nPackage: second\nVersion: 1\nArchitecture: all\n`)))).toMatch(
      /more than one paragraph/,
    )
    expect(await refusal(readDebControl(await handMadeDeb(`${head}Description: x\r\n SHA256: 00\rFilename: y\n`)))).toMatch(/control characters/)
    expect(await refusal(readDebControl(await handMadeDeb(`${head}-----BEGIN: x\nDescription: x\n`)))).toMatch(/field named/)
    expect(await refusal(readDebControl(await handMadeDeb(`${head}Description: ${'x'.repeat(1024 * 1024)}\n`)))).toMatch(/over/)
  })

  it('refuses ar members with a negative size instead of reading the same header forever', async () => {
    const looping = Buffer.concat([
      Buffer.from('!<arch>\n'),
      Buffer.from(`${'debian-binary'.padEnd(16)}${'0'.padEnd(12)}0     0     100644  ${'-60'.padEnd(10)}\`\n`, 'latin1'),
    ])
    await expect(readArMembers(looping)).rejects.toThrow(/past the end/)
  })

  it('never uses ar member names as paths: a traversal name is just not a .deb member', async () => {
    const deb = arArchive([
      ['debian-binary', Buffer.from('2.0\n')],
      ['../control.tar', Buffer.alloc(512)],
      ['data.tar', Buffer.alloc(512)],
    ])
    expect(await refusal(readDebControl(deb))).toMatch(/control\.tar/)
  })
})
