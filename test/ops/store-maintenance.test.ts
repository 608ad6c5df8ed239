/** Store maintenance beside a running server: gc after 20 upstream changes of a packument, fsck of a flipped byte. */
import { createHash } from 'node:crypto'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture, type NpmRegistryFixture, type TempDir } from '@larder/testkit'
import { describeCli, larderCli } from '../rebuild/larder-cli.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const CHANGES = 20
let registry: NpmRegistryFixture
let larder: LarderServer
let data: TempDir

/** Every blob file of the store, walked on disk: what gc must shrink. */
async function blobFiles(): Promise<string[]> {
  const root = join(data.path, 'store', 'blobs', 'sha256')
  const files: string[] = []
  for (const shard of await readdir(root)) for (const name of await readdir(join(root, shard))) files.push(name)
  return files
}

const packument = async (accept?: string) => {
  const response = await fetch(`${larder.npmRegistry}gc-pkg`, accept ? { headers: { accept } } : {})
  expect(response.status).toBe(200)
  return (await response.json()) as { versions: Record<string, { dist: { tarball: string } }> }
}

beforeAll(async () => {
  registry = await startNpmRegistryFixture({ packages: [await packNpmPackage({ name: 'gc-pkg', version: '1.0.0' })] })
  data = await makeTempDir('larder-e2e-gc-')
  // Every request revalidates, so each upstream change stores a new body; the server's own gc stays off.
  larder = await startLarder({ dataDir: data.path, env: { LARDER_NPM_UPSTREAM: registry.url, LARDER_INDEX_TTL_SECONDS: '0', LARDER_GC_INTERVAL_HOURS: '0' } })
})

afterAll(async () => {
  await larder?.stop()
  await registry?.stop()
  await data?.cleanup()
})

describe('larder gc', () => {
  it('frees the bodies 20 packument changes superseded and keeps every document and tarball still served', async () => {
    const abbreviated = 'application/vnd.npm.install-v1+json'
    const versions = await Promise.all(Array.from({ length: CHANGES }, (_, i) => packNpmPackage({ name: 'gc-pkg', version: `1.${i + 1}.0` })))
    for (const version of versions) {
      registry.publish(version)
      expect(Object.keys((await packument(abbreviated)).versions)).toContain(version.version)
    }
    const tarball = (await packument()).versions['1.20.0']!.dist.tarball
    const bytes = Buffer.from(await (await fetch(tarball)).arrayBuffer())
    const before = await blobFiles()

    // The default grace period spares everything stored in the last hour: nothing goes yet.
    const graced = await larderCli(['gc', '--json'], data.path)
    expect(graced.code, describeCli(graced)).toBe(0)
    expect(JSON.parse(graced.stdout)).toMatchObject({ deleted: 0 })

    const dry = await larderCli(['gc', '--dry-run', '--grace-minutes', '0', '--json'], data.path)
    const wouldDelete = JSON.parse(dry.stdout).deleted
    // Each change replaced the packument's body and its derived parts.
    expect(wouldDelete).toBeGreaterThanOrEqual(CHANGES)
    expect(await blobFiles()).toEqual(before)

    const gc = await larderCli(['gc', '--grace-minutes', '0', '--json'], data.path)
    expect(gc.code, describeCli(gc)).toBe(0)
    expect(JSON.parse(gc.stdout)).toMatchObject({ deleted: wouldDelete })
    expect((await blobFiles()).length).toBe(before.length - wouldDelete)

    // The running server still serves all of it, from the store: its upstream is asked nothing more for the tarball.
    const tarballHits = registry.hitCount(new URL(tarball).pathname.replace('/npm', ''))
    expect(Object.keys((await packument()).versions)).toHaveLength(CHANGES + 1)
    expect(Object.keys((await packument(abbreviated)).versions)).toHaveLength(CHANGES + 1)
    const again = await fetch(tarball)
    expect(again.headers.get('x-larder-cache')).toBe('HIT')
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true)
    expect(registry.hitCount(new URL(tarball).pathname.replace('/npm', ''))).toBe(tarballHits)
  })

  it('fsck finds a flipped byte in a tarball, quarantines it, and --repair fetches the same bytes again from upstream', async () => {
    const tarball = (await packument()).versions['1.0.0']!.dist.tarball
    const bytes = Buffer.from(await (await fetch(tarball)).arrayBuffer())
    // The store addresses a blob by the sha256 of its bytes.
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const file = join(data.path, 'store', 'blobs', 'sha256', sha256.slice(0, 2), sha256)
    const rotten = await readFile(file)
    rotten[rotten.length >> 1] = rotten[rotten.length >> 1]! ^ 0x10
    await writeFile(file, rotten)

    const found = await larderCli(['fsck', '--json'], data.path)
    expect(found.code, describeCli(found)).toBe(1)
    const report = JSON.parse(found.stdout)
    expect(report.corrupt).toEqual([expect.objectContaining({ sha256 })])
    expect((await readFile(report.corrupt[0].quarantinedAt)).equals(rotten)).toBe(true)
    expect(report.missing).toEqual([expect.objectContaining({ sha256, hosted: false })])

    const tarballPath = new URL(tarball).pathname.replace('/npm', '')
    const hits = registry.hitCount(tarballPath)
    const repaired = await larderCli(['fsck', '--repair'], data.path)
    expect(repaired.code, describeCli(repaired)).toBe(0)
    expect(repaired.stdout).toMatch(/fetched again from upstream, same bytes/)
    expect(registry.hitCount(tarballPath)).toBe(hits + 1)
    // Served from the store again, the repaired bytes: upstream is not asked a second time.
    const again = await fetch(tarball)
    expect(again.headers.get('x-larder-cache')).toBe('HIT')
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true)
    expect(registry.hitCount(tarballPath)).toBe(hits + 1)
    expect((await larderCli(['fsck'], data.path)).code).toBe(0)
  })

  it("stats counts what the store holds for npm and reads the running server's hit ratio", async () => {
    const stats = await larderCli(['stats', '--json', '--server', larder.url], data.path)
    expect(stats.code, describeCli(stats)).toBe(0)
    const report = JSON.parse(stats.stdout)
    // The packument and the tarballs fetched above, nothing hosted.
    expect(report.ecosystems.npm.mirrored.withBody).toBeGreaterThanOrEqual(3)
    expect(report.ecosystems.npm.hosted.entries).toBe(0)
    expect(report.blobs.count).toBeGreaterThan(0)
    const npm = report.hitRatios.npm
    expect(npm.fromStore).toBeGreaterThan(0)
    expect(npm.misses).toBeGreaterThan(0)
    expect(npm.ratio).toBeCloseTo(npm.fromStore / (npm.fromStore + npm.misses))
    const table = await larderCli(['stats'], data.path)
    expect(table.stdout).toMatch(/^npm\s+\d+/m)
  })
})
