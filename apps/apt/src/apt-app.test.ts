import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDeb, createAptArchive, type BuiltDeb } from '@larder/testkit'
import { sha256Table, startAptAppHarness, type AptAppHarness } from './apt-app.harness.js'

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const SUITE = '/apt/fixture/dists/stable'
/** A failed digest shows as a 502, or (once streaming began) as a body that breaks off: either way no bad bytes complete. */
async function failsToDeliver(res: Response): Promise<boolean> {
  if (res.status === 502) return true
  return res.arrayBuffer().then(
    () => false,
    () => true,
  )
}

let base: BuiltDeb
let top: BuiltDeb
let h: AptAppHarness

beforeAll(async () => {
  base = await buildDeb({ name: 'unit-base', version: '1.0' })
  top = await buildDeb({ name: 'unit-top', version: '1.0', depends: 'unit-base (>= 1.0)' })
  h = await startAptAppHarness([base, top])
}, 120_000)

afterAll(async () => {
  await h?.close()
})

describe('APT mirror: Release files and index generations', () => {
  it('serves InRelease, Release and Release.gpg byte for byte', async () => {
    for (const file of ['InRelease', 'Release', 'Release.gpg']) {
      const res = await h.bytes(`${SUITE}/${file}`)
      expect(res.status, file).toBe(200)
      expect(res.body.equals(await h.upstream.archive.read(`dists/stable/${file}`)), file).toBe(true)
    }
  })

  it('serves indexes by path and by-hash as the Release lists them, fetched from upstream once', async () => {
    const listed = sha256Table((await h.upstream.archive.read('dists/stable/Release')).toString())
    const xz = listed['main/binary-amd64/Packages.xz']!
    const byPath = await h.bytes(`${SUITE}/main/binary-amd64/Packages.xz`)
    expect(byPath.status).toBe(200)
    expect(sha256(byPath.body)).toBe(xz.sha256)
    const byHash = await h.bytes(`${SUITE}/main/binary-amd64/by-hash/SHA256/${xz.sha256}`)
    expect(sha256(byHash.body)).toBe(xz.sha256)
    expect(byHash.headers.get('x-larder-cache')).toBe('HIT')
    const sha512 = createHash('sha512').update(byHash.body).digest('hex')
    expect(sha256((await h.bytes(`${SUITE}/main/binary-amd64/by-hash/SHA512/${sha512}`)).body)).toBe(xz.sha256)
    expect(h.upstream.hitCount((p) => p.includes('Packages.xz') || p.includes(xz.sha256))).toBe(1)
    expect((await h.request(`${SUITE}/main/binary-i386/Packages`)).status).toBe(404)
  })

  it('keeps serving the generation clients hold until the next one is complete, then switches with the old by-hash objects kept', async () => {
    const first = (await h.bytes(`${SUITE}/InRelease`)).body
    const firstXz = sha256Table(first.toString())['main/binary-amd64/Packages.xz']!
    await h.request(`${SUITE}/main/binary-amd64/by-hash/SHA256/${firstXz.sha256}`)
    const next = await buildDeb({ name: 'unit-base', version: '1.1' })
    await h.upstream.publish([next])
    const upstreamNext = await h.upstream.archive.read('dists/stable/InRelease')
    const nextXz = sha256Table(upstreamNext.toString())['main/binary-amd64/Packages.xz']!
    expect(nextXz.sha256).not.toBe(firstXz.sha256)

    // Upstream's new indexes fail: the new InRelease must not be served, it would lead to Hash Sum mismatch.
    await h.upstream.setFault('status500', (p) => p.includes('binary-amd64'))
    const held = await h.bytes(`${SUITE}/InRelease`)
    expect(held.body.equals(first)).toBe(true)
    expect(held.headers.get('x-larder-stale')).toBe('E_UPSTREAM_STATUS')
    expect(sha256((await h.bytes(`${SUITE}/main/binary-amd64/Packages.xz`)).body)).toBe(firstXz.sha256)

    await h.upstream.setFault(null)
    const switched = await h.bytes(`${SUITE}/InRelease`)
    expect(switched.body.equals(upstreamNext)).toBe(true)
    // The wanted index came along before the switch: it is stored already.
    const fetchedXz = await h.bytes(`${SUITE}/main/binary-amd64/Packages.xz`)
    expect(sha256(fetchedXz.body)).toBe(nextXz.sha256)
    expect(fetchedXz.headers.get('x-larder-cache')).toBe('HIT')
    const old = await h.bytes(`${SUITE}/main/binary-amd64/by-hash/SHA256/${firstXz.sha256}`)
    expect(old.status).toBe(200)
    expect(sha256(old.body)).toBe(firstXz.sha256)
  })

  it('drops the indexes of the generation before the previous one once a third is served, so gc can free them', async () => {
    const generationXz = async () => sha256Table((await h.bytes(`${SUITE}/InRelease`)).body.toString())['main/binary-amd64/Packages.xz']!.sha256
    const fetchIndex = async () => expect((await h.bytes(`${SUITE}/main/binary-amd64/Packages.xz`)).status).toBe(200)
    const older = await generationXz()
    await fetchIndex()
    await h.upstream.publish([await buildDeb({ name: 'unit-base', version: '1.2' })])
    const previous = await generationXz()
    await fetchIndex()
    expect(await h.services.store.getEntry(`apt:index:sha256:${older}`)).toBeDefined()
    await h.upstream.publish([await buildDeb({ name: 'unit-base', version: '1.3' })])
    const newest = await generationXz()
    expect(new Set([older, previous, newest]).size).toBe(3)
    // Clients holding the previous Release can still fetch its index; the one before is gone.
    expect(await h.services.store.getEntry(`apt:index:sha256:${older}`)).toBeUndefined()
    expect(await h.services.store.getEntry(`apt:index:sha256:${previous}`)).toBeDefined()
    expect(await h.services.store.getEntry(`apt:index:sha256:${newest}`)).toBeDefined()
    expect(sha256((await h.bytes(`${SUITE}/main/binary-amd64/Packages.xz`)).body)).toBe(newest)
  })

  it('refuses an upstream index that does not match the Release, storing nothing', async () => {
    const listed = sha256Table((await h.upstream.archive.read('dists/stable/Release')).toString())
    await h.upstream.setFault('corrupt', (p) => p.includes('Packages.gz') || p.includes(listed['main/binary-amd64/Packages.gz']!.sha256))
    expect(await failsToDeliver(await h.request(`${SUITE}/main/binary-amd64/Packages.gz`))).toBe(true)
    await h.upstream.setFault(null)
    const again = await h.bytes(`${SUITE}/main/binary-amd64/Packages.gz`)
    expect(again.headers.get('x-larder-cache')).toBe('MISS')
    expect(sha256(again.body)).toBe(listed['main/binary-amd64/Packages.gz']!.sha256)
  })
})

describe('APT mirror: pool files', () => {
  it('fetches a pool file once, verified against Packages, and answers Range requests', async () => {
    const path = `/apt/fixture/${h.upstream.archive.poolPath(top)}`
    const full = await h.bytes(path)
    expect(full.status).toBe(200)
    expect(full.body.equals(top.bytes)).toBe(true)
    const part = await h.bytes(path, { headers: { range: 'bytes=10-19' } })
    expect(part.status).toBe(206)
    expect(part.body.equals(top.bytes.subarray(10, 20))).toBe(true)
    expect(h.upstream.hitCount(`/${h.upstream.archive.poolPath(top)}`)).toBe(1)
  })

  it('serves a stored pool file without reading the stored Packages again', async () => {
    const path = `/apt/fixture/${h.upstream.archive.poolPath(top)}`
    expect((await h.request(path)).status).toBe(200)
    const store = h.services.store
    const list = store.listEntries.bind(store)
    let listed = 0
    store.listEntries = (prefix) => {
      if (prefix.startsWith('apt-generation:')) listed++
      return list(prefix)
    }
    try {
      const again = await h.bytes(path)
      expect(again.headers.get('x-larder-cache')).toBe('HIT')
      expect(again.body.equals(top.bytes)).toBe(true)
    } finally {
      store.listEntries = list
    }
    expect(listed).toBe(0)
  })

  it('answers HEAD, unsatisfiable ranges with 416, and If-Range with another validator with the whole file', async () => {
    const path = `/apt/fixture/${h.upstream.archive.poolPath(top)}`
    const head = await h.bytes(path, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body.length).toBe(0)
    expect(head.headers.get('content-length')).toBe(String(top.bytes.length))
    const etag = head.headers.get('etag')!
    const beyond = await h.request(path, { headers: { range: `bytes=${top.bytes.length + 10}-` } })
    expect(beyond.status).toBe(416)
    expect(beyond.headers.get('content-range')).toBe(`bytes */${top.bytes.length}`)
    const changed = await h.bytes(path, { headers: { range: 'bytes=0-9', 'if-range': '"another"' } })
    expect(changed.status).toBe(200)
    expect(changed.body.equals(top.bytes)).toBe(true)
    const same = await h.bytes(path, { headers: { range: 'bytes=5-', 'if-range': etag } })
    expect(same.status).toBe(206)
    expect(same.body.equals(top.bytes.subarray(5))).toBe(true)
    const release = await h.bytes(`${SUITE}/InRelease`, { method: 'HEAD' })
    expect(release.status).toBe(200)
    expect(release.body.length).toBe(0)
  })

  it('refuses a pool file whose bytes differ from what Packages says', async () => {
    const poolPath = h.upstream.archive.poolPath(base)
    await h.upstream.setFault('corrupt', (p) => p === `/${poolPath}`)
    expect(await failsToDeliver(await h.request(`/apt/fixture/${poolPath}`))).toBe(true)
    await h.upstream.setFault(null)
    const again = await h.bytes(`/apt/fixture/${poolPath}`)
    expect(again.headers.get('x-larder-cache')).toBe('MISS')
    expect(again.body.equals(base.bytes)).toBe(true)
  })

  it('offline: serves the stored generation, indexes and pool files, and says what is missing', async () => {
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    const release = await offline.bytes(`${SUITE}/InRelease`)
    expect(release.status).toBe(200)
    expect(release.headers.get('x-larder-cache')).toBe('OFFLINE')
    const xz = sha256Table(release.body.toString())['main/binary-amd64/Packages.xz']!
    expect(sha256((await offline.bytes(`${SUITE}/main/binary-amd64/by-hash/SHA256/${xz.sha256}`)).body)).toBe(xz.sha256)
    expect((await offline.bytes(`/apt/fixture/${h.upstream.archive.poolPath(top)}`)).body.equals(top.bytes)).toBe(true)
    const missing = await offline.request('/apt/fixture/pool/main/n/nope/nope_1_all.deb')
    expect(missing.status).toBe(504)
    expect(((await missing.json()) as { code: string }).code).toBe('E_OFFLINE_MISS')
  })

  it('answers unknown archives with 404 and escaping names with 400', async () => {
    const unknown = await h.request('/apt/nope/dists/stable/InRelease')
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { hint: string }).hint).toContain('fixture')
    expect((await h.request('/apt/fixture/pool/..%2F..%2Fetc/passwd')).status).toBe(400)
  })

  it('fetches again a pool file it held unverified once a served index lists other bytes', async () => {
    const late = await buildDeb({ name: 'unit-late', version: '1.0' })
    const pool = h.upstream.archive.poolPath(late)
    const path = `/apt/fixture/${pool}`
    // Upstream serves a file at that path before any index lists it: Larder stores it as first fetched.
    await mkdir(dirname(join(h.upstream.archive.root, pool)), { recursive: true })
    await writeFile(join(h.upstream.archive.root, pool), 'not the package the index will name')
    expect((await h.bytes(path)).status).toBe(200)
    await h.upstream.publish([late])
    await h.bytes(`${SUITE}/InRelease`)
    expect((await h.bytes(`${SUITE}/main/binary-amd64/Packages.xz`)).status).toBe(200)
    const again = await h.bytes(path)
    expect(again.headers.get('x-larder-cache')).toBe('MISS')
    expect(again.body.equals(late.bytes)).toBe(true)
    const held = await h.bytes(path)
    expect(held.headers.get('x-larder-cache')).toBe('HIT')
    expect(held.body.equals(late.bytes)).toBe(true)
  })
})

describe('APT mirror: suites that share the pool', () => {
  it('serves a pool file the current suite lists while another suite lists it with another size and a third has an unreadable index', async () => {
    const shared = await buildDeb({ name: 'unit-shared', version: '1.0' })
    const { root } = h.upstream.archive
    const odd = await createAptArchive({ root, key: h.upstream.key, suite: 'aodd', rewritePackages: (text) => text.replace(/^Size: \d+$/gm, 'Size: 5') })
    // Signed like the rest, so Larder serves it: only reading its pool list fails.
    const garbled = await createAptArchive({ root, key: h.upstream.key, suite: 'agarbled', rewritePackages: () => '<html>\n<body>not an index</body>\n' })
    for (const archive of [odd, garbled]) await archive.publish([shared])
    await h.upstream.publish([shared])
    for (const suite of ['agarbled', 'aodd', 'stable']) {
      expect((await h.bytes(`/apt/fixture/dists/${suite}/InRelease`)).status).toBe(200)
      expect((await h.bytes(`/apt/fixture/dists/${suite}/main/binary-amd64/Packages.xz`)).status, suite).toBe(200)
    }
    const pool = await h.bytes(`/apt/fixture/${h.upstream.archive.poolPath(shared)}`)
    expect(pool.status).toBe(200)
    expect(pool.body.equals(shared.bytes)).toBe(true)
  })
})
