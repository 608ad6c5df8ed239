import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Header, Pack, ReadEntry } from 'tar'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFsStore, readAll, type CacheEntry, type CacheStore } from '@larder/core'
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleManifest } from './bundle-manifest.js'
import { importBundle } from './import-bundle.js'
import { writeBundle } from './write-bundle.js'

let root: string
let source: CacheStore
let target: CacheStore
const opened: CacheStore[] = []

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'larder-bundle-'))
  source = createFsStore({ dir: join(root, 'a') })
  target = createFsStore({ dir: join(root, 'b') })
  opened.push(source, target)
})
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close()
  await rm(root, { recursive: true, force: true })
})

/** A tarball and a packument with a derived part, as the npm mirror stores them. */
async function sampleManifest(): Promise<BundleManifest> {
  const tarball = await source.putBlob(Buffer.from('a tarball '.repeat(5000)))
  const body = await source.putBlob(Buffer.from('{"name":"pkg"}'))
  const abbreviated = await source.putBlob(Buffer.from('{"name":"pkg","abbreviated":true}'))
  const entries: CacheEntry[] = [
    { key: 'npm:packument:pkg', status: 'ok', fetchedAt: 1000, blob: body.sha256, size: body.size, parts: { abbreviated } },
    { key: 'npm:tarball:pkg/-/pkg-1.0.0.tgz', status: 'ok', fetchedAt: 1000, blob: tarball.sha256, size: tarball.size },
  ]
  for (const entry of entries) await source.putEntry(entry)
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, createdAt: new Date(0).toISOString(), lockfiles: [], entries, blobs: [tarball, body, abbreviated] }
}

const text = async (store: CacheStore, sha256: string) => (await readAll((await store.openBlob(sha256))!)).toString()

async function storeContents(store: CacheStore): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.listEntries('')) keys.push(key)
  return keys.sort()
}

describe('larder bundles', () => {
  for (const zstd of [false, true]) {
    it(`round-trips entries and blobs${zstd ? ' through zstd' : ''}, and a second import keeps what is there`, async () => {
      const manifest = await sampleManifest()
      const out = join(root, zstd ? 'bundle.tar.zst' : 'bundle.tar')
      await writeBundle(out, manifest, '{}\n', source, { zstd })
      expect((await readFile(out)).subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe(zstd)
      expect(await readdir(root)).toEqual(expect.arrayContaining([zstd ? 'bundle.tar.zst' : 'bundle.tar']))

      const result = await importBundle(out, target)
      expect(result).toMatchObject({ entries: 2, kept: 0, blobs: 3, present: 0 })
      expect(await storeContents(target)).toEqual(['npm:packument:pkg', 'npm:tarball:pkg/-/pkg-1.0.0.tgz'])
      const packument = (await target.getEntry('npm:packument:pkg'))!
      expect(await text(target, packument.blob!)).toBe('{"name":"pkg"}')
      expect(await text(target, packument.parts!.abbreviated!.sha256)).toContain('abbreviated')
      expect(await importBundle(out, target)).toMatchObject({ entries: 0, kept: 2, blobs: 0, present: 3 })
    })
  }

  it('refuses a bundle with one byte changed, in a blob or in the manifest, and leaves the store as it was', async () => {
    const manifest = await sampleManifest()
    const out = join(root, 'bundle.tar')
    await writeBundle(out, manifest, '{}\n', source, { zstd: false })
    const bytes = await readFile(out)
    const damaged = async (needle: string, label: string) => {
      const at = bytes.indexOf(needle)
      expect(at, label).toBeGreaterThan(0)
      const copy = Buffer.from(bytes)
      copy[at] = copy[at]! ^ 0x20
      const path = join(root, `${label}.tar`)
      await writeFile(path, copy)
      return path
    }
    await expect(importBundle(await damaged('a tarball', 'blob'), target)).rejects.toThrow(/is refused: blobs\/sha256\/[0-9a-f]{64} hashes to/)
    await expect(importBundle(await damaged('"fetchedAt":1000', 'manifest'), target)).rejects.toThrow(/larder-bundle.json hashes to/)
    expect(await storeContents(target)).toEqual([])
    for (const blob of manifest.blobs) expect(await target.statBlob(blob.sha256)).toBeUndefined()
    // Nothing left in the spool either.
    expect((await readdir(target.spoolDir)).filter((name) => name.startsWith('import-'))).toEqual([])
  })

  it('hashes each blob as it writes it: bytes that fail their address or a lockfile digest fail the bundle, leaving no file', async () => {
    const manifest = await sampleManifest()
    const tarball = manifest.blobs[0]!
    const out = join(root, 'bundle.tar')
    const bundleFiles = async () => (await readdir(root)).filter((name) => name.includes('bundle'))
    // Rot of the same size: only hashing tells it apart.
    const rotten: CacheStore = {
      ...source,
      openBlob: async (sha256) => (sha256 === tarball.sha256 ? Readable.from([Buffer.from('b tarball '.repeat(5000))]) : source.openBlob(sha256)),
    }
    for (const zstd of [false, true]) {
      await expect(writeBundle(out, manifest, '{}\n', rotten, { zstd })).rejects.toThrow(`blob ${tarball.sha256} hashes to`)
    }
    const sha512 = (bytes: Buffer) => createHash('sha512').update(bytes).digest('hex')
    const path = '/npm/pkg/-/pkg-1.0.0.tgz'
    const wrong = { path, anyOf: [{ sha512: sha512(Buffer.from('other bytes')) }] }
    const right = { path, anyOf: [wrong.anyOf[0]!, { sha512: sha512(Buffer.from('a tarball '.repeat(5000))) }] }
    await expect(writeBundle(out, manifest, '{}\n', source, { zstd: false, lockfileChecks: new Map([[tarball.sha256, [right, wrong]]]) })).rejects.toThrow(
      /^\/npm\/pkg\/-\/pkg-1.0.0.tgz: the bytes do not match the lockfile: got sha512:/,
    )
    await expect(writeBundle(out, manifest, '{}\n', source, { zstd: false, lockfileChecks: new Map([['0'.repeat(64), [right]]]) })).rejects.toThrow(
      'which the bundle does not list',
    )
    expect(await bundleFiles()).toEqual([])
    await writeBundle(out, manifest, '{}\n', source, { zstd: false, lockfileChecks: new Map([[tarball.sha256, [right]]]) })
    expect(await bundleFiles()).toEqual(['bundle.tar'])
  })

  it('refuses a bundle whose manifest names a blob it does not carry, and one that is not a tar', async () => {
    const manifest = await sampleManifest()
    // A bundle whose checksums all agree, but one listed blob is left out of it.
    const body = Buffer.from(`${JSON.stringify(manifest)}\n`)
    const sbom = Buffer.from('{}\n')
    const sum = (b: Buffer) => createHash('sha256').update(b).digest('hex')
    const files: Array<[string, Buffer]> = [
      ['larder-bundle.json', body],
      ...(await Promise.all(
        manifest.blobs.slice(1).map(async (blob) => [`blobs/sha256/${blob.sha256}`, await readAll((await source.openBlob(blob.sha256))!)] as [string, Buffer]),
      )),
      ['sbom.cdx.json', sbom],
      ['larder-bundle.sha256', Buffer.from(`${sum(body)}  larder-bundle.json\n${sum(sbom)}  sbom.cdx.json\n`)],
    ]
    const out = join(root, 'short.tar')
    const pack = new Pack({ portable: true })
    const written = pipeline(pack, createWriteStream(out))
    for (const [path, bytes] of files) {
      const entry = new ReadEntry(new Header({ path, size: bytes.length, type: 'File', mode: 0o644 }))
      pack.add(entry)
      entry.end(bytes)
    }
    pack.end()
    await written
    await expect(importBundle(out, target)).rejects.toThrow(`blob ${manifest.blobs[0]!.sha256} is listed but not in the bundle`)
    await writeFile(join(root, 'junk.tar'), 'not a tar at all')
    await expect(importBundle(join(root, 'junk.tar'), target)).rejects.toThrow(/not a readable tar|lacks/)
    expect(await storeContents(target)).toEqual([])
  })
})
