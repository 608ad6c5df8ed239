/** LARDER_MAX_CACHE_GB: with a 50 MB limit and 80 MB fetched, the least recently served tarballs go; the private package and a pinned lockfile's stay. */
import { randomBytes } from 'node:crypto'
import { readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture, waitFor, type NpmRegistryFixture, type PackedPackage, type TempDir } from '@larder/testkit'
import { describeCli, larderCli } from '../rebuild/larder-cli.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { publishDocument, putPackage } from '../support/npm-publish.js'

const LIMIT_GB = '0.05'
const LIMIT_BYTES = 0.05 * 1024 ** 3
const TOKEN = 'e2e-evict-token-1'
const COUNT = 10
let registry: NpmRegistryFixture
let larder: LarderServer
let data: TempDir
const packages: PackedPackage[] = []

const tarballPath = (p: PackedPackage) => `/${p.name}/-/${p.filename}`
const fetchTarball = async (p: PackedPackage) => {
  const response = await fetch(`${larder.npmRegistry}${p.name}/-/${p.filename}`)
  return { cache: response.headers.get('x-larder-cache'), bytes: Buffer.from(await response.arrayBuffer()) }
}

async function blobBytes(): Promise<number> {
  const root = join(data.path, 'store', 'blobs', 'sha256')
  let total = 0
  for (const shard of await readdir(root)) for (const name of await readdir(join(root, shard))) total += (await stat(join(root, shard, name))).size
  return total
}

beforeAll(async () => {
  // About 8 MB each: random bytes do not compress, so 10 of them are 80 MB of tarballs.
  const specs = Array.from({ length: COUNT }, (_, i) => ({
    name: `evict-pkg-${i}`,
    version: '1.0.0',
    files: { 'blob.txt': randomBytes(6_000_000).toString('base64') },
  }))
  for (let i = 0; i < COUNT; i += 5) packages.push(...(await Promise.all(specs.slice(i, i + 5).map((spec) => packNpmPackage(spec)))))
  registry = await startNpmRegistryFixture({ packages })
  data = await makeTempDir('larder-e2e-evict-')
  larder = await startLarder({
    dataDir: data.path,
    env: { LARDER_NPM_UPSTREAM: registry.url, LARDER_MAX_CACHE_GB: LIMIT_GB, LARDER_EVICT_INTERVAL_SECONDS: '1', LARDER_TOKENS: `ci=${TOKEN}:npm` },
  })
})

afterAll(async () => {
  await larder?.stop()
  await registry?.stop()
  await data?.cleanup()
})

describe('eviction to LARDER_MAX_CACHE_GB', () => {
  it('keeps mirrored content under the limit, the private package and the pinned lockfile whole, and fetches an evicted tarball again', async () => {
    const published = await putPackage(larder.npmRegistry, 'evict-private', await publishDocument(larder.npmRegistry, 'evict-private', '1.0.0'), TOKEN)
    expect(published.status).toBe(201)
    // Two packages pinned by a prefetch of their lockfile, run on the server's store.
    const pinned = packages.slice(0, 2)
    const lockfile = join(data.path, 'package-lock.json')
    const entries = pinned.map((p) => [`node_modules/${p.name}`, { version: p.version, resolved: `${registry.url}${tarballPath(p)}`, integrity: p.integrity }])
    await writeFile(lockfile, JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...Object.fromEntries(entries) } }))
    const prefetch = await larderCli(['prefetch', lockfile], data.path, { LARDER_NPM_UPSTREAM: registry.url })
    expect(prefetch.code, describeCli(prefetch)).toBe(0)

    const rest = packages.slice(2)
    for (const p of rest) expect((await fetchTarball(p)).cache).toBe('MISS')
    const evicted = await waitFor(async () => (await larder.logs()).find((line) => typeof line.msg === 'string' && line.msg.startsWith('evicted ')), {
      timeoutMs: 30_000,
      description: 'an eviction run',
    })
    expect(evicted.after as number).toBeLessThanOrEqual(LIMIT_BYTES)
    expect(evicted.before as number).toBeGreaterThan(LIMIT_BYTES)
    // What is left on disk: mirrored content within the limit, plus the private tarball and the documents.
    expect(await blobBytes()).toBeLessThan(LIMIT_BYTES + 2 * 1024 * 1024)

    const hits = (p: PackedPackage) => registry.hitCount(tarballPath(p))
    for (const p of pinned) {
      const before = hits(p)
      expect((await fetchTarball(p)).cache).toBe('HIT')
      expect(hits(p)).toBe(before)
    }
    const own = await fetch(`${larder.npmRegistry}evict-private`)
    const tarball = ((await own.json()) as { versions: Record<string, { dist: { tarball: string } }> }).versions['1.0.0']!.dist.tarball
    expect((await fetch(tarball)).headers.get('x-larder-cache')).toBe('PRIVATE')

    // The first one fetched was served least recently: it went, and comes back from upstream byte for byte.
    const first = rest[0]!
    const before = hits(first)
    const again = await fetchTarball(first)
    expect(again.cache).toBe('MISS')
    expect(again.bytes.equals(first.tarball)).toBe(true)
    expect(hits(first)).toBe(before + 1)
  })
})
