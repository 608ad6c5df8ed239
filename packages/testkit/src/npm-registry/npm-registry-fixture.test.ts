import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, type PackedPackage } from '../npm-pack/npm-pack.js'
import { bigPackument } from './big-packument.js'
import { ABBREVIATED_PACKUMENT_TYPE, parsePackagePath, startNpmRegistryFixture, type NpmRegistryFixture } from './npm-registry-fixture.js'

// Response.json() is typed unknown; these tests assert on the shape themselves.
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json()

const abbreviated = { accept: `${ABBREVIATED_PACKUMENT_TYPE}; q=1.0, application/json; q=0.8, */*` }

let leftPad: PackedPackage
let util1: PackedPackage
let util2: PackedPackage
let registry: NpmRegistryFixture

beforeAll(async () => {
  ;[leftPad, util1, util2] = await Promise.all([
    packNpmPackage({ name: 'left-pad', version: '1.0.0', description: 'pads left', scripts: { postinstall: 'node x' } }),
    packNpmPackage({ name: '@fixture/util', version: '1.0.0', files: { 'index.js': '', 'README.md': '# util' } }),
    packNpmPackage({ name: '@fixture/util', version: '1.1.0', dependencies: { 'left-pad': '^1.0.0' } }),
  ])
  registry = await startNpmRegistryFixture({ packages: [leftPad, util1] })
})
afterAll(() => registry.stop())

describe('npm registry fixture', () => {
  it('serves the full packument by default', async () => {
    const res = await fetch(`${registry.url}/left-pad`)
    expect(res.headers.get('content-type')).toBe('application/json')
    const doc = await json(res)
    expect(doc).toMatchObject({ _id: 'left-pad', name: 'left-pad', description: 'pads left', 'dist-tags': { latest: '1.0.0' } })
    expect(doc.versions['1.0.0']).toMatchObject({
      name: 'left-pad',
      _id: 'left-pad@1.0.0',
      scripts: { postinstall: 'node x' },
      dist: {
        tarball: `${registry.url}/left-pad/-/left-pad-1.0.0.tgz`,
        integrity: leftPad.integrity,
        shasum: leftPad.shasum,
        fileCount: leftPad.fileCount,
        unpackedSize: leftPad.unpackedSize,
      },
    })
    expect(Object.keys(doc.time)).toEqual(['created', 'modified', '1.0.0'])
    expect(doc).toHaveProperty('readme')
  })

  it('serves the abbreviated packument when the client asks for install-v1', async () => {
    const res = await fetch(`${registry.url}/left-pad`, { headers: abbreviated })
    expect(res.headers.get('content-type')).toBe(ABBREVIATED_PACKUMENT_TYPE)
    expect(res.headers.get('vary')).toBe('Accept')
    const doc = await json(res)
    expect(Object.keys(doc).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions'])
    expect(doc.versions['1.0.0']).toEqual({
      name: 'left-pad',
      version: '1.0.0',
      license: 'MIT',
      hasInstallScript: true,
      dist: expect.objectContaining({ integrity: leftPad.integrity }),
    })
  })

  it('answers 304 to If-None-Match and If-Modified-Since with the validators it sent', async () => {
    const first = await fetch(`${registry.url}/left-pad`)
    await first.arrayBuffer()
    const etag = first.headers.get('etag') as string
    const lastModified = first.headers.get('last-modified') as string
    expect(etag).toMatch(/^"[\w-]+"$/)
    expect(new Date(lastModified).toUTCString()).toBe(lastModified)

    const byTag = await fetch(`${registry.url}/left-pad`, { headers: { 'if-none-match': etag } })
    expect(byTag.status).toBe(304)
    expect(byTag.headers.get('etag')).toBe(etag)
    const byDate = await fetch(`${registry.url}/left-pad`, { headers: { 'if-modified-since': lastModified } })
    expect(byDate.status).toBe(304)
    const otherTag = await fetch(`${registry.url}/left-pad`, { headers: { 'if-none-match': '"other"' } })
    expect(otherTag.status).toBe(200)
    // The abbreviated document is a different representation, so it has its own ETag.
    const slim = await fetch(`${registry.url}/left-pad`, { headers: { ...abbreviated, 'if-none-match': etag } })
    expect(slim.status).toBe(200)
    expect(slim.headers.get('etag')).not.toBe(etag)
  })

  it('resolves scoped names in all three spellings and serves their tarballs', async () => {
    for (const spelling of ['@fixture%2futil', '@fixture%2Futil', '@fixture/util']) {
      const res = await fetch(`${registry.url}/${spelling}`)
      expect(res.status, spelling).toBe(200)
      expect((await json(res)).name).toBe('@fixture/util')
    }
    const doc = registry.packument('@fixture/util')
    expect(doc?.readme).toBe('# util')
    const tarballUrl = doc?.versions['1.0.0']?.dist.tarball as string
    expect(tarballUrl).toBe(`${registry.url}/@fixture/util/-/util-1.0.0.tgz`)
    const res = await fetch(tarballUrl)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    const bytes = Buffer.from(await res.arrayBuffer())
    expect(bytes.equals(util1.tarball)).toBe(true)
    expect(`sha512-${createHash('sha512').update(bytes).digest('base64')}`).toBe(util1.integrity)
    expect((await fetch(`${registry.url}/@fixture%2futil/-/util-1.0.0.tgz`)).status).toBe(200)
  })

  it('publish() adds a version, moves dist-tags and changes ETag and Last-Modified', async () => {
    const before = await fetch(`${registry.url}/@fixture%2futil`, { headers: abbreviated })
    await before.arrayBuffer()
    registry.publish(util2, { tag: 'next' })

    const after = await fetch(`${registry.url}/@fixture%2futil`, {
      headers: { ...abbreviated, 'if-none-match': before.headers.get('etag') as string },
    })
    expect(after.status).toBe(200)
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
    expect(Date.parse(after.headers.get('last-modified') as string)).toBeGreaterThan(Date.parse(before.headers.get('last-modified') as string))
    const doc = await json(after)
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0', next: '1.1.0' })
    expect(doc.versions['1.1.0'].dependencies).toEqual({ 'left-pad': '^1.0.0' })
    expect(() => registry.publish(util2)).toThrow(/already published/)
  })

  it('removeVersion() drops the version and its tarball', async () => {
    const extra = { ...leftPad, version: '1.0.1', filename: 'left-pad-1.0.1.tgz', manifest: { ...leftPad.manifest, version: '1.0.1' } }
    registry.publish(extra)
    expect((await fetch(`${registry.url}/left-pad/-/left-pad-1.0.1.tgz`)).status).toBe(200)
    expect(registry.removeVersion('left-pad', '1.0.1')).toBe(true)
    expect(registry.packument('left-pad')?.['dist-tags']).toEqual({ latest: '1.0.0' })
    expect((await fetch(`${registry.url}/left-pad/-/left-pad-1.0.1.tgz`)).status).toBe(404)
    expect(registry.removeVersion('left-pad', '9.9.9')).toBe(false)
  })

  it('serves single versions by number or tag', async () => {
    expect((await json(fetch(`${registry.url}/left-pad/latest`)))._id).toBe('left-pad@1.0.0')
    expect((await fetch(`${registry.url}/left-pad/7.0.0`)).status).toBe(404)
  })

  it('answers 404 {"error":"Not found"} for unknown packages and tarballs', async () => {
    for (const path of ['/no-such-pkg', '/@nope%2fnothing', '/left-pad/-/left-pad-9.9.9.tgz', '/a/b/c/d']) {
      const res = await fetch(`${registry.url}${path}`)
      expect(res.status, path).toBe(404)
      expect(await res.json()).toEqual({ error: 'Not found' })
    }
  })

  it('answers ping, search and the audit endpoints', async () => {
    expect(await json(fetch(`${registry.url}/-/ping`))).toEqual({})
    const search = await json(fetch(`${registry.url}/-/v1/search?text=util`))
    expect(search.total).toBe(1)
    expect(search.objects[0].package).toMatchObject({ name: '@fixture/util', scope: 'fixture', version: '1.0.0' })
    expect((await json(fetch(`${registry.url}/-/v1/search?text=zzz`))).objects).toEqual([])

    const bulk = await fetch(`${registry.url}/-/npm/v1/security/advisories/bulk`, { method: 'POST', body: '{"left-pad":["1.0.0"]}' })
    expect(bulk.status).toBe(200)
    expect(await json(bulk)).toEqual({})
    const quick = await fetch(`${registry.url}/-/npm/v1/security/audits/quick`, { method: 'POST', body: '{}' })
    expect((await json(quick)).metadata.vulnerabilities).toEqual({ info: 0, low: 0, moderate: 0, high: 0, critical: 0 })
  })

  it('counts hits and obeys faults like any fixture server', async () => {
    registry.resetHits()
    await registry.setFault('status503', (path) => path.endsWith('.tgz'))
    expect((await fetch(`${registry.url}/left-pad/-/left-pad-1.0.0.tgz`)).status).toBe(503)
    expect((await fetch(`${registry.url}/left-pad`)).status).toBe(200)
    await registry.setFault(null)
    expect(registry.hitCount('/left-pad/-/left-pad-1.0.0.tgz')).toBe(1)
    expect(registry.totalHits()).toBe(2)
  })
})

describe('npm registry fixture options', () => {
  it('ignoreAcceptHeader and sendValidators: false serve plain full documents', async () => {
    const plain = await startNpmRegistryFixture({ packages: [leftPad], ignoreAcceptHeader: true, sendValidators: false })
    try {
      const res = await fetch(`${plain.url}/left-pad`, { headers: { ...abbreviated, 'if-none-match': '*' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(res.headers.get('etag')).toBeNull()
      expect(res.headers.get('last-modified')).toBeNull()
      expect((await json(res))._id).toBe('left-pad')
    } finally {
      await plain.stop()
    }
  })

  it('bigPackument() makes a multi-MB packument from one tarball', async () => {
    const versions = await bigPackument('@fixture/big', 5_000)
    const big = await startNpmRegistryFixture({ packages: versions })
    try {
      const res = await fetch(`${big.url}/@fixture%2fbig`)
      const body = Buffer.from(await res.arrayBuffer())
      expect(body.length).toBeGreaterThan(2 * 1024 * 1024)
      const doc = JSON.parse(body.toString())
      expect(Object.keys(doc.versions)).toHaveLength(5_000)
      expect(doc['dist-tags'].latest).toBe('1.0.4999')
      expect(doc.versions['1.0.4999'].dist.tarball).toBe(`${big.url}/@fixture/big/-/big-1.0.4999.tgz`)
      const tarball = Buffer.from(await (await fetch(doc.versions['1.0.4999'].dist.tarball)).arrayBuffer())
      expect(tarball.equals(versions[0]?.tarball as Buffer)).toBe(true)
    } finally {
      await big.stop()
    }
  })
})

describe('parsePackagePath', () => {
  it('routes packuments, versions and tarballs, scoped or not', () => {
    expect(parsePackagePath('/%40s%2Fn')).toEqual({ kind: 'packument', name: '@s/n' })
    expect(parsePackagePath('/@s/n/1.0.0')).toEqual({ kind: 'version', name: '@s/n', version: '1.0.0' })
    expect(parsePackagePath('/n/-/n-1.0.0.tgz')).toEqual({ kind: 'tarball', name: 'n', filename: 'n-1.0.0.tgz' })
    expect(parsePackagePath('/n/')).toBeUndefined()
    expect(parsePackagePath('/%E0%A4%A')).toBeUndefined()
  })
})
