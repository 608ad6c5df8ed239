/** package-lock.json of every lockfileVersion, written by the real npm, and the entries that are not registry packages. */
import { join } from 'node:path'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  makeTempDir,
  packNpmPackage,
  prepareIsolatedNpmEnv,
  run,
  startNpmRegistryFixture,
  type NpmRegistryFixture,
  type PackedPackage,
  type TempDir,
} from '@larder/testkit'
import { readPackageLock } from './package-lock.js'

let registry: NpmRegistryFixture
let work: TempDir
let packages: PackedPackage[]
const written: Record<number, string> = {}

const hex = (sri: string) => Buffer.from(sri.slice('sha512-'.length), 'base64').toString('hex')

// The real npm writes every lockfileVersion against a fixture registry: the reader is tested on what npm makes.
beforeAll(async () => {
  packages = await Promise.all([
    packNpmPackage({ name: 'lock-right', version: '1.0.0' }),
    packNpmPackage({ name: 'lock-right', version: '2.0.0' }),
    packNpmPackage({ name: 'lock-left', version: '1.0.0', dependencies: { 'lock-right': '^2.0.0' } }),
    packNpmPackage({ name: '@lock/util', version: '1.0.0', dependencies: { 'lock-left': '^1.0.0' } }),
  ])
  registry = await startNpmRegistryFixture({ packages })
  work = await makeTempDir('larder-cli-npm-lock-')
  const dependencies = { '@lock/util': '^1.0.0', 'lock-right': '1.0.0', 'lock-alias': 'npm:lock-left@1.0.0' }
  for (const version of [1, 2, 3]) {
    const dir = join(work.path, `v${version}`)
    const env = await prepareIsolatedNpmEnv(work.path)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies }))
    const args = ['install', '--package-lock-only', `--lockfile-version=${version}`, `--registry=${registry.url}/`]
    const result = await run('npm', args, { cwd: dir, env })
    if (result.code !== 0) throw new Error(`npm install failed: ${result.stderr}`)
    written[version] = await readFile(join(dir, 'package-lock.json'), 'utf8')
  }
})

afterAll(async () => {
  await registry?.stop()
  await work?.cleanup()
})

describe('package-lock.json as npm writes it', () => {
  it.each([1, 2, 3])('lockfileVersion %i: every registry package once, with its tarball path, packument and integrity', (version) => {
    const lock = readPackageLock('package-lock.json', written[version]!)
    expect(lock.format).toBe(`package-lock (v${version})`)
    const byPath = Object.fromEntries(lock.items.map((item) => [item.artifacts[0]!.path, item]))
    expect(Object.keys(byPath).sort()).toEqual([
      '/npm/@lock/util/-/util-1.0.0.tgz',
      '/npm/lock-left/-/lock-left-1.0.0.tgz',
      '/npm/lock-right/-/lock-right-1.0.0.tgz',
      '/npm/lock-right/-/lock-right-2.0.0.tgz',
    ])
    const util = byPath['/npm/@lock/util/-/util-1.0.0.tgz']!
    expect(util).toMatchObject({ ecosystem: 'npm', name: '@lock/util', version: '1.0.0' })
    expect(util.indexes).toEqual([{ path: '/npm/@lock%2futil', accept: expect.stringContaining('application/vnd.npm.install-v1+json') }])
    for (const pkg of packages) {
      const item = byPath[`/npm/${pkg.name}/-/${pkg.filename}`]!
      expect(item.artifacts[0]!.expected.sha512).toBe(hex(pkg.integrity))
    }
    expect(lock.items.every((item) => item.problem === undefined)).toBe(true)
  })
})

describe('entries that are not registry packages', () => {
  const lock = (packagesMap: Record<string, unknown>) => JSON.stringify({ lockfileVersion: 3, packages: packagesMap })

  it('skips the project, workspaces, links, bundled and file: entries; refuses git and other URLs with a reason', () => {
    const read = readPackageLock(
      'package-lock.json',
      lock({
        '': { name: 'app' },
        'packages/a': { name: 'a', version: '1.0.0' },
        'node_modules/a': { resolved: 'packages/a', link: true },
        'node_modules/local': { version: '1.0.0', resolved: 'file:../local' },
        'node_modules/x/node_modules/inner': { version: '1.0.0', inBundle: true },
        'node_modules/g': { version: '1.0.0', resolved: 'git+ssh://git@github.com/o/g.git#0123abc' },
        'node_modules/u': { version: '1.0.0', resolved: 'https://example.com/downloads/u.tar.gz' },
        'node_modules/plain': { version: '1.2.3' },
      }),
    )
    expect(read.skipped).toBe(5)
    const problems = Object.fromEntries(read.items.map((item) => [item.name, item.problem]))
    expect(problems.g).toMatch(/git dependency/)
    expect(problems.u).toMatch(/not a registry tarball/)
    // No "resolved" (omit-lockfile-registry-resolved): the registry's default file name.
    expect(problems.plain).toBeUndefined()
    expect(read.items.find((item) => item.name === 'plain')!.artifacts[0]!.path).toBe('/npm/plain/-/plain-1.2.3.tgz')
  })

  it('reads aliases under their real name, and dedupes one version locked at many paths', () => {
    const tgz = 'https://registry.npmjs.org/real/-/real-1.0.0.tgz'
    const read = readPackageLock(
      'package-lock.json',
      lock({
        'node_modules/alias': { name: 'real', version: '1.0.0', resolved: tgz },
        'node_modules/x/node_modules/real': { version: '1.0.0', resolved: tgz },
      }),
    )
    expect(read.items.map((item) => [item.name, item.artifacts[0]!.path])).toEqual([['real', '/npm/real/-/real-1.0.0.tgz']])
  })

  it('asks of a tarball what npm does of several hashes: one of the strongest algorithm', () => {
    const b64 = (c: string, n: number) => Buffer.from(c.repeat(n), 'hex').toString('base64')
    const [a, b] = [`sha512-${b64('aa', 64)}`, `sha512-${b64('bb', 64)}`]
    const read = readPackageLock(
      'package-lock.json',
      lock({
        'node_modules/one': { version: '1.0.0', resolved: 'https://registry.npmjs.org/one/-/one-1.0.0.tgz', integrity: `sha1-${b64('cc', 20)} ${a}` },
        'node_modules/two': { version: '1.0.0', resolved: 'https://registry.npmjs.org/two/-/two-1.0.0.tgz', integrity: `${a} ${b}` },
      }),
    )
    const [one, two] = read.items.map((item) => item.artifacts[0]!)
    expect(one).toMatchObject({ expected: { sha512: 'aa'.repeat(64) } })
    expect(two).toMatchObject({ expected: {}, anyOf: [{ sha512: 'aa'.repeat(64) }, { sha512: 'bb'.repeat(64) }] })
  })

  it('refuses an unknown lockfileVersion and text that is not JSON', () => {
    expect(() => readPackageLock('p.json', JSON.stringify({ lockfileVersion: 4 }))).toThrow(/lockfileVersion 4/)
    expect(() => readPackageLock('p.json', 'lockfileVersion: 3')).toThrow(/not JSON/)
  })
})
