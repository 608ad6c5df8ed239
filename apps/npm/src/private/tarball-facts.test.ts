import { describe, expect, it } from 'vitest'
import { packNpmPackage } from '@larder/testkit'
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
