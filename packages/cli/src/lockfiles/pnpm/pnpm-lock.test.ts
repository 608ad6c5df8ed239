/** pnpm-lock.yaml as the real pnpm writes it (9.0), as pnpm 8 wrote it (6.0), and the entries that are not registry packages. */
import type { PackedPackage } from '@larder/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReadLockfile } from '../locked-item.js'
import { type LockGraph, startLockGraph, writeLockfile } from './lock-clients.harness.js'
import { pnpmLockFormat, readPnpmLock } from './pnpm-lock.js'

let graph: LockGraph
let written: string

const hex = (sri: string) => Buffer.from(sri.slice('sha512-'.length), 'base64').toString('hex')
const pkg = (name: string, version: string) => graph.packages.find((p) => p.name === name && p.version === version)!
const byPath = (lock: ReadLockfile) => Object.fromEntries(lock.items.map((item) => [item.artifacts[0]?.path ?? item.name, item]))

beforeAll(async () => {
  graph = await startLockGraph()
  written = await writeLockfile(graph, 'pnpm')
})

afterAll(async () => {
  await graph?.stop()
})

function expectRegistryItems(lock: ReadLockfile, packages: readonly PackedPackage[]): void {
  const items = byPath(lock)
  expect(items['/npm/@lock/util/-/util-1.0.0.tgz']).toMatchObject({ ecosystem: 'npm', name: '@lock/util', version: '1.0.0' })
  expect(items['/npm/@lock/util/-/util-1.0.0.tgz']!.indexes).toEqual([
    { path: '/npm/@lock%2futil', accept: expect.stringContaining('application/vnd.npm.install-v1+json') },
  ])
  for (const p of packages) expect(items[`/npm/${p.name}/-/${p.filename}`]!.artifacts[0]!.expected, p.filename).toEqual({ sha512: hex(p.integrity) })
}

describe('pnpm-lock.yaml as pnpm writes it', () => {
  it('lockfileVersion 9.0: every registry package once, with its tarball path, packument and integrity; the local folder skipped', () => {
    expect(written).toMatch(/^lockfileVersion: '9\.0'$/m)
    // The peer dependency resolves two ways: two snapshots, one package to fetch.
    expect(written).toContain('lock-peer@1.0.0(lock-right@1.0.0)')
    expect(written).toContain('lock-peer@1.0.0(lock-right@2.0.0)')
    const lock = readPnpmLock('pnpm-lock.yaml', written)
    expect(lock.format).toBe('pnpm-lock (v9.0)')
    expect(lock.items.map((item) => item.artifacts[0]!.path).sort()).toEqual(graph.packages.map((p) => `/npm/${p.name}/-/${p.filename}`).sort())
    expectRegistryItems(lock, graph.packages)
    expect(lock.items.every((item) => item.problem === undefined)).toBe(true)
    expect(lock.skipped).toBe(1)
    expect(pnpmLockFormat.byContent!(written)).toBe(true)
  })
})

/** What pnpm 8 writes for a workspace: `/name@version(peers)` keys, peers resolved two ways, and other sources. */
const v6Lockfile = () => {
  const integrity = (name: string, version: string) => `{integrity: ${pkg(name, version).integrity}}`
  return `lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      '@lock/util':
        specifier: ^1.0.0
        version: 1.0.0
      a:
        specifier: workspace:*
        version: link:packages/a
      g:
        specifier: github:o/g#0123abc
        version: github.com/o/g/0123abc
      h:
        specifier: git+https://git.example.com/o/h.git#4567def
        version: git.example.com/o/h/4567def
      local:
        specifier: file:./local
        version: file:local
      lock-peer:
        specifier: ^1.0.0
        version: 1.0.0(lock-right@1.0.0)
      lock-right:
        specifier: 1.0.0
        version: 1.0.0
      mirrored:
        specifier: ^3.0.0
        version: 3.1.0
      u:
        specifier: https://example.com/downloads/u.tar.gz
        version: '@example.com/downloads/u.tar.gz'

  packages/a:
    dependencies:
      lock-right:
        specifier: ^2.0.0
        version: 2.0.0

packages:

  /@lock/util@1.0.0:
    resolution: ${integrity('@lock/util', '1.0.0')}
    dependencies:
      lock-left: 1.0.0(lock-right@2.0.0)
    dev: false

  /lock-left@1.0.0(lock-right@2.0.0):
    resolution: ${integrity('lock-left', '1.0.0')}
    dependencies:
      lock-peer: 1.0.0(lock-right@2.0.0)
      lock-right: 2.0.0
    dev: false

  /lock-peer@1.0.0(lock-right@1.0.0):
    resolution: ${integrity('lock-peer', '1.0.0')}
    peerDependencies:
      lock-right: '*'
    dependencies:
      lock-right: 1.0.0
    dev: false

  /lock-peer@1.0.0(lock-right@2.0.0):
    resolution: ${integrity('lock-peer', '1.0.0')}
    peerDependencies:
      lock-right: '*'
    dependencies:
      lock-right: 2.0.0
    dev: false

  /lock-right@1.0.0:
    resolution: ${integrity('lock-right', '1.0.0')}
    dev: false

  /lock-right@2.0.0:
    resolution: ${integrity('lock-right', '2.0.0')}
    dev: false

  /mirrored@3.1.0:
    resolution: {integrity: ${pkg('lock-right', '2.0.0').integrity}, tarball: https://npm.example.com/repository/npm/mirrored/-/mirrored-3.1.0.tgz}
    dev: false

  '@example.com/downloads/u.tar.gz':
    resolution: {tarball: https://example.com/downloads/u.tar.gz}
    name: u
    version: 1.0.0
    dev: false

  file:local:
    resolution: {directory: local, type: directory}
    name: local
    version: 1.0.0
    dev: false

  github.com/o/g/0123abc:
    resolution: {tarball: https://codeload.github.com/o/g/tar.gz/0123abc}
    name: g
    version: 1.0.0
    dev: false

  git.example.com/o/h/4567def:
    resolution: {commit: 4567def, repo: https://git.example.com/o/h.git, type: git}
    name: h
    version: 2.0.0
    dev: false
`
}

describe('pnpm-lock.yaml 6.0 as pnpm 8 wrote it', () => {
  it('dedupes peer variants to one item per name@version; skips links and folders; refuses git and remote tarballs with a reason', () => {
    const lock = readPnpmLock('pnpm-lock.yaml', v6Lockfile())
    expect(lock.format).toBe('pnpm-lock (v6.0)')
    expectRegistryItems(lock, graph.packages)
    // The workspace link and the local folder.
    expect(lock.skipped).toBe(2)
    expect(lock.items.filter((item) => item.name === 'lock-peer')).toHaveLength(1)
    expect(lock.items.find((item) => item.name === 'lock-peer')!.source).toBe('pnpm-lock.yaml (/lock-peer@1.0.0(lock-right@1.0.0))')
    // A registry of another host keeps its tarball URL: still a registry package, at the mirror's usual path.
    const mirrored = lock.items.find((item) => item.name === 'mirrored')!
    expect(mirrored.version).toBe('3.1.0')
    expect(mirrored.problem).toBeUndefined()
    expect(mirrored.artifacts[0]!.path).toBe('/npm/mirrored/-/mirrored-3.1.0.tgz')
    const problems = Object.fromEntries(lock.items.filter((item) => item.problem).map((item) => [item.name, item.problem]))
    expect(Object.keys(problems).sort()).toEqual(['g', 'h', 'u'])
    expect(problems.g).toMatch(/^a git dependency \(https:\/\/codeload\.github\.com\/o\/g\/tar\.gz\/0123abc\)/)
    expect(problems.h).toMatch(/^a git dependency \(https:\/\/git\.example\.com\/o\/h\.git#4567def\)/)
    expect(problems.u).toMatch(/^not a registry tarball \(https:\/\/example\.com\/downloads\/u\.tar\.gz\)/)
    expect(lock.items.find((item) => item.name === 'u')!.version).toBe('1.0.0')
  })

  it('refuses lockfile versions before 6 and text that is not a YAML mapping', () => {
    expect(() => readPnpmLock('pnpm-lock.yaml', "lockfileVersion: '5.4'\npackages: {}\n")).toThrow(/lockfileVersion 5\.4 is not one of 6\.x to 9\.x/)
    expect(() => readPnpmLock('pnpm-lock.yaml', 'packages: {}\n')).toThrow(/lockfileVersion \(none\)/)
    expect(() => readPnpmLock('pnpm-lock.yaml', '- a\n- b\n')).toThrow(/not a YAML mapping/)
    expect(() => readPnpmLock('pnpm-lock.yaml', 'a: [\n')).toThrow(/not valid YAML/)
    expect(pnpmLockFormat.byContent!('{"lockfileVersion": 3, "packages": {}}')).toBe(false)
  })
})
