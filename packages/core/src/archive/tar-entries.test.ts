import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { writeTar, writeTarGz } from '@larder/testkit'
import { readSafeTar } from './tar-entries.js'

const options = { label: 'the tarball' }

describe('readSafeTar', () => {
  it('walks a .tar.gz, reports every entry and returns the files asked for', async () => {
    const seen: string[] = []
    const files = await readSafeTar(
      writeTarGz([
        { name: 'package/', type: 'directory' },
        { name: 'package/package.json', data: '{}' },
        { name: 'package/bin', type: 'symlink', linkTarget: 'package.json' },
      ]),
      { ...options, onEntry: (e) => seen.push(`${e.kind}:${e.path}`), read: (e) => e.path.endsWith('package.json') },
    )
    expect(seen).toEqual(['directory:package', 'file:package/package.json', 'symlink:package/bin'])
    expect(files.get('package/package.json')?.toString()).toBe('{}')
  })

  it('reads a stream of plain tar', async () => {
    const tar = writeTar([
      { name: './', type: 'directory' },
      { name: './usr/bin/x', data: 'x' },
    ])
    const chunks = [tar.subarray(0, 700), tar.subarray(700)]
    await expect(readSafeTar(Readable.from(chunks), options)).resolves.toBeInstanceOf(Map)
  })

  it.each([
    [[{ name: 'package/../../evil', data: 'x' }], "'..' segment"],
    [[{ name: '/etc/evil', data: 'x' }], 'absolute path'],
    [[{ name: 'package/link', type: 'symlink' as const, linkTarget: '../../../etc/passwd' }], 'links outside'],
    [[{ name: 'package/link', type: 'hardlink' as const, linkTarget: '../outside' }], 'hard link to an unsafe path'],
    [
      [
        { name: 'package/a', type: 'symlink' as const, linkTarget: '.' },
        { name: 'package/d/b', type: 'symlink' as const, linkTarget: '../a/../../x' },
      ],
      'outside the package',
    ],
  ])('refuses an unsafe entry (%#)', async (entries, reason) => {
    await expect(readSafeTar(writeTarGz(entries), options)).rejects.toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringContaining(reason) })
  })

  it('refuses what is not a tar, a cut-off tar, and two copies of a file it reads', async () => {
    await expect(readSafeTar(Buffer.from('not a tarball at all'.repeat(40)), options)).rejects.toMatchObject({
      code: 'E_BAD_REQUEST',
      message: expect.stringContaining('not a readable tar'),
    })
    const tgz = writeTarGz([{ name: 'a', data: 'x'.repeat(5000) }])
    await expect(readSafeTar(tgz.subarray(0, tgz.length - 20), options)).rejects.toMatchObject({ code: 'E_BAD_REQUEST' })
    const twice = writeTar([
      { name: 'metadata.gz', data: 'a' },
      { name: 'metadata.gz', data: 'b' },
    ])
    await expect(readSafeTar(twice, { ...options, read: () => true })).rejects.toThrow(/two entries of that name/)
  })

  it('stops at the entry and unpacked-size limits', async () => {
    const many = writeTar(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: 'x' })))
    await expect(readSafeTar(many, { ...options, maxEntries: 4 })).rejects.toMatchObject({ code: 'E_TOO_LARGE' })
    const big = writeTarGz([{ name: 'zeros', data: Buffer.alloc(2_000_000) }])
    await expect(readSafeTar(big, { ...options, maxUnpackedBytes: 1_000_000 })).rejects.toMatchObject({
      code: 'E_TOO_LARGE',
      message: expect.stringContaining('unpacks to more than'),
    })
  })
})

describe('readSafeTar on an empty archive', () => {
  it('takes a tar of nothing but its end marker, as GNU tar does', async () => {
    await expect(readSafeTar(Buffer.alloc(1024), options)).resolves.toEqual(new Map())
  })
})
