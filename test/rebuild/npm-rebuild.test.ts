/**
 * The rebuild guarantee for npm: the real npm writes package-lock.json through Larder A; `larder
 * prefetch` fills a fresh store (in-process, and through a running server), `larder verify` passes,
 * and the real `npm ci` with an empty cache installs from a Larder on that store with LARDER_OFFLINE=1.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '@larder/testkit'
import { describeRun } from '../support/clients.js'
import { REPO_ROOT, startLarder } from '../support/larder-process.js'
import { filesUnder, sha256Hex, storeFiles } from './bundle-steps.js'
import { describeCli, larderCli, verifyWithoutBlob } from './larder-cli.js'
import { LEFT_MISMATCH, startNpmFamily, WRONG_INTEGRITY, type Install, type LockedProject, type NpmFamily } from './npm-family.js'

let family: NpmFamily
let app: LockedProject
const ci: Install = () => family.clients.npm(['ci'], { cwd: app.project })

beforeAll(async () => {
  family = await startNpmFamily('npm')
  app = await family.lock('app', 'package-lock.json', (cwd) => family.clients.npm(['install'], { cwd }))
})

afterAll(() => family?.stop())

describe('larder prefetch and verify of a package-lock.json npm wrote', () => {
  it('npx larder works in the checkout', async () => {
    const help = await run('npx', ['--no-install', 'larder', 'prefetch', '--help'], { cwd: REPO_ROOT })
    expect(help.code, describeRun(help)).toBe(0)
    expect(help.stdout).toContain('Usage: larder prefetch')
  })

  it('prefetch in this process holds every package in a fresh store; verify then passes', async () => {
    const lock = JSON.parse(await readFile(app.lockfile, 'utf8'))
    // The lockfile names Larder A: that is where npm resolved it.
    expect(lock.packages['node_modules/e2e-left'].resolved).toBe(`${family.larderA.npmRegistry}e2e-left/-/e2e-left-1.0.0.tgz`)
    await family.prefetchAndVerify(app, ['sha512'])
  })

  it('prefetch --server through a running Larder holds everything in its store', async () => {
    const store = await family.work.dir('store-server')
    const server = await startLarder({ dataDir: store, env: { LARDER_NPM_UPSTREAM: family.fixture.url } })
    try {
      const prefetch = await larderCli(['prefetch', '--server', server.url, '--concurrency', '2', app.lockfile], await family.work.dir('unused'))
      expect(prefetch.code, describeCli(prefetch)).toBe(0)
      expect((await server.requests()).filter((r) => r.path.endsWith('.tgz') && r.status === 200)).toHaveLength(4)
    } finally {
      await server.stop()
    }
    const verify = await larderCli(['verify', app.lockfile], store)
    expect(verify.code, describeCli(verify)).toBe(0)
  })

  it('the real npm ci with an empty cache installs from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    await family.installOffline(app, ci)
  })

  it('export bundles what package-lock.json needs; a tampered bundle is refused whole; npm ci installs from a running Larder with a dead upstream that imported it', async () => {
    const exported = await family.exportGraph(app)
    const { left } = family.graph
    // One byte flipped in the middle of e2e-left's tarball inside the tar.
    const bytes = await readFile(exported.bundle)
    const at = bytes.indexOf(left.tarball)
    expect(at).toBeGreaterThan(0)
    bytes[at + (left.tarball.length >> 1)]! ^= 0xff
    const tampered = join(await family.work.dir('bundle-tampered'), 'bundle.tar')
    await writeFile(tampered, bytes)
    const [storeC, emptyStore, emptyOut] = await Promise.all(['store-refused', 'store-empty', 'bundle-refused'].map((name) => family.work.dir(name)))
    const [refused, notHeld, b] = await Promise.all([
      larderCli(['import', tampered], storeC!),
      larderCli(['export', '--out', join(emptyOut!, 'bundle.tar'), app.lockfile], emptyStore!),
      family.startB(app),
    ])
    // The tampered bundle is refused whole: the store stays empty.
    expect(refused.code, describeCli(refused)).toBe(1)
    expect(refused.stderr).toMatch(new RegExp(`blobs/sha256/${sha256Hex(left.tarball)} hashes to [0-9a-f]{64}`))
    expect(refused.stderr).toContain('is refused')
    expect(await storeFiles(storeC!)).toEqual({ entries: [], blobs: [] })
    expect(await filesUnder(storeC!), 'nothing at all is left in C').toEqual([])
    // Export from a store that holds nothing refuses and writes no file.
    expect(notHeld.code, describeCli(notHeld)).toBe(1)
    expect(notHeld.stderr).toMatch(/export refused: .*run larder prefetch first/)
    expect(await readdir(emptyOut!)).toEqual([])

    await family.installFromImported(app, exported, b, ci)
  })

  it('a lockfile integrity that does not match the upstream bytes fails prefetch, naming the package', async () => {
    const lock = JSON.parse(await readFile(app.lockfile, 'utf8'))
    lock.packages['node_modules/e2e-left'].integrity = WRONG_INTEGRITY
    expect(await family.prefetchFails('tampered', 'package-lock.json', JSON.stringify(lock, null, 2))).toMatch(LEFT_MISMATCH)
  })

  it('verify after one blob is deleted from the store fails, naming that package', async () => {
    const stdout = await verifyWithoutBlob(app.prefetched, sha256Hex(family.graph.right110.tarball), app.lockfile)
    expect(stdout).toMatch(/not held \(1\):\n {2}npm e2e-right@1\.1\.0 /)
    expect(stdout).toMatch(/1 of 4 packages are not held and verified/)
  })
})
