import { describe, expect, it } from 'vitest'
import { packNpmPackage, writeTarGz } from '@larder/testkit'
import { readTarballFacts } from './tarball-facts.js'

describe('readTarballFacts', () => {
  it('finds npm-shrinkwrap.json and binding.gyp at the package root', async () => {
    const pkg = await packNpmPackage({
      name: 'facts-native',
      version: '1.0.0',
      files: { 'npm-shrinkwrap.json': '{"lockfileVersion":3}', 'binding.gyp': '{}', 'lib/a.js': 'x' },
    })
    const facts = await readTarballFacts(pkg.tarball)
    expect(facts).toMatchObject({ hasShrinkwrap: true, hasBindingGyp: true, fileCount: pkg.fileCount })
  })

  it('says no for a plain package, even with those names deeper down', async () => {
    const pkg = await packNpmPackage({ name: 'facts-plain', version: '1.0.0', files: { 'sub/binding.gyp': '{}' } })
    expect(await readTarballFacts(pkg.tarball)).toMatchObject({ hasShrinkwrap: false, hasBindingGyp: false })
  })

  it('refuses bytes that are not a tarball', async () => {
    await expect(readTarballFacts(Buffer.from('not a tarball at all'))).rejects.toMatchObject({ code: 'E_BAD_REQUEST' })
  })
})

describe('readTarballFacts on hostile tarballs', () => {
  it.each([
    [
      [
        { name: 'package/package.json', data: '{}' },
        { name: 'package/../../evil', data: 'x' },
      ],
      "'..' segment",
    ],
    [[{ name: '/etc/cron.d/evil', data: 'x' }], 'absolute path'],
    [[{ name: 'package/index.js', type: 'symlink' as const, linkTarget: '../../../../home/user/.bashrc' }], 'links outside the package'],
  ])('refuses an unsafe entry with a 400 (%#)', async (entries, reason) => {
    await expect(readTarballFacts(writeTarGz(entries))).rejects.toMatchObject({ code: 'E_BAD_REQUEST', message: expect.stringContaining(reason) })
  })
})
