import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import { insertBaseUrl, insertBaseUrlInto, insertedLength } from './insert-base-url.js'
import { rewritePackument, tarballFilename } from './stored-packument.js'

const upstreamDoc = {
  _id: '@s/pkg',
  name: '@s/pkg',
  'dist-tags': { latest: '1.1.0' },
  time: { modified: '2026-01-02T00:00:00.000Z', '1.0.0': '2026-01-01T00:00:00.000Z' },
  readme: 'tarball: "https://registry.example/@s/pkg/-/pkg-1.0.0.tgz" ünïcode',
  versions: {
    '1.0.0': {
      name: '@s/pkg',
      version: '1.0.0',
      scripts: { postinstall: 'node x.js', test: 'x' },
      dependencies: { a: '^1' },
      dist: {
        tarball: 'https://registry.example/@s/pkg/-/pkg-1.0.0.tgz',
        integrity: 'sha512-abc',
        shasum: 'def',
        signatures: [{ keyid: 'k', sig: 's' }],
      },
    },
    '1.1.0': {
      name: '@s/pkg',
      version: '1.1.0',
      dist: { tarball: 'https://cdn.other.example/files/pkg-1.1.0.tgz', integrity: 'sha512-ghi' },
    },
  },
}

async function serve(body: Buffer, offsets: number[], base: string, chunkSize: number): Promise<unknown> {
  const chunks: Buffer[] = []
  for (let i = 0; i < body.length; i += chunkSize) chunks.push(body.subarray(i, i + chunkSize))
  const out = await buffer(Readable.from(chunks).pipe(insertBaseUrl(offsets, base)))
  expect(out.length).toBe(insertedLength(body.length, offsets, base))
  return JSON.parse(out.toString('utf8'))
}

describe('rewritePackument', () => {
  const stored = rewritePackument(upstreamDoc, { name: '@s/pkg' })

  it('rewrites only dist.tarball, keeping integrity, signatures, time and the rest', async () => {
    for (const chunkSize of [1, 7, 4096]) {
      const doc = (await serve(stored.full, stored.fullOffsets, 'http://m:8080/npm', chunkSize)) as typeof upstreamDoc
      const expected = structuredClone(upstreamDoc)
      expected.versions['1.0.0'].dist.tarball = 'http://m:8080/npm/@s/pkg/-/pkg-1.0.0.tgz'
      expected.versions['1.1.0'].dist.tarball = 'http://m:8080/npm/@s/pkg/-/pkg-1.1.0.tgz'
      expect(doc).toEqual(expected)
    }
  })

  it('renders a packument held in memory to the same bytes as the stream, once per base', async () => {
    for (const base of ['http://m:8080/npm', 'https://x']) {
      const streamed = await buffer(Readable.from([stored.full]).pipe(insertBaseUrl(stored.fullOffsets, base)))
      const rendered = insertBaseUrlInto(stored.full, stored.fullOffsets, base)
      expect(rendered.equals(streamed)).toBe(true)
      expect(insertBaseUrlInto(stored.full, stored.fullOffsets, base)).toBe(rendered)
    }
  })

  it('derives the abbreviated form with hasInstallScript and time', async () => {
    const doc = (await serve(stored.abbreviated, stored.abbreviatedOffsets, 'https://x', 5)) as Record<string, any>
    expect(Object.keys(doc).sort()).toEqual(['dist-tags', 'modified', 'name', 'time', 'versions'])
    expect(doc.versions['1.0.0']).toEqual({
      name: '@s/pkg',
      version: '1.0.0',
      dependencies: { a: '^1' },
      hasInstallScript: true,
      dist: { ...upstreamDoc.versions['1.0.0'].dist, tarball: 'https://x/@s/pkg/-/pkg-1.0.0.tgz' },
    })
    expect(doc.modified).toBe('2026-01-02T00:00:00.000Z')
  })

  it('remembers where each tarball really lives and what it must hash to', () => {
    expect(stored.tarballs).toEqual({
      'pkg-1.0.0.tgz': { version: '1.0.0', url: upstreamDoc.versions['1.0.0'].dist.tarball, integrity: 'sha512-abc', shasum: 'def' },
      'pkg-1.1.0.tgz': { version: '1.1.0', url: 'https://cdn.other.example/files/pkg-1.1.0.tgz', integrity: 'sha512-ghi', shasum: undefined },
    })
  })

  it('refuses garbage and documents about another package', () => {
    expect(() => rewritePackument('<html>', { name: 'a' })).toThrow(expect.objectContaining({ code: 'E_UPSTREAM_GARBAGE' }))
    expect(() => rewritePackument({ name: 'b', versions: {} }, { name: 'a' })).toThrow(/describes b/)
  })

  it('only accepts plausible tarball file names', () => {
    expect(tarballFilename('https://r/a/-/a-1.0.0.tgz')).toBe('a-1.0.0.tgz')
    expect(tarballFilename('https://r/a/-/..%2f..%2fx.tgz')).toBeUndefined()
    expect(tarballFilename('not a url')).toBeUndefined()
  })
})

describe('tarball file names under the mirror', () => {
  const doc = (versions: Record<string, string>) => ({
    name: '@s/odd',
    versions: Object.fromEntries(
      Object.entries(versions).map(([v, tarball]) => [v, { name: '@s/odd', version: v, dist: { tarball, integrity: `sha512-${v}` } }]),
    ),
  })

  it('names every tarball: URLs without a .tgz name (GitHub Packages), relative URLs, and two versions sharing a file name', () => {
    const stored = rewritePackument(
      doc({
        '1.0.0': 'https://npm.pkg.github.com/download/@s/odd/1.0.0/0a1b2c3d',
        '1.1.0': '/@s/odd/-/odd-1.1.0.tgz',
        '2.0.0': 'https://files.example/a/odd-2.0.0.tgz',
        '2.0.1': 'https://files.example/b/odd-2.0.0.tgz',
      }),
      { name: '@s/odd', documentUrl: 'https://registry.example/@s%2fodd' },
    )
    expect(Object.fromEntries(Object.entries(stored.tarballs).map(([file, source]) => [file, [source.version, source.url]]))).toEqual({
      'odd-1.0.0.tgz': ['1.0.0', 'https://npm.pkg.github.com/download/@s/odd/1.0.0/0a1b2c3d'],
      'odd-1.1.0.tgz': ['1.1.0', 'https://registry.example/@s/odd/-/odd-1.1.0.tgz'],
      'odd-2.0.0.tgz': ['2.0.0', 'https://files.example/a/odd-2.0.0.tgz'],
      'odd-2.0.1.tgz': ['2.0.1', 'https://files.example/b/odd-2.0.0.tgz'],
    })
    const served = JSON.parse(insertBaseUrlInto(stored.full, stored.fullOffsets, 'http://larder/npm').toString('utf8'))
    expect(Object.values(served.versions).map((v: any) => v.dist.tarball)).toEqual(
      ['1.0.0', '1.1.0', '2.0.0', '2.0.1'].map((v) => `http://larder/npm/@s/odd/-/odd-${v}.tgz`),
    )
  })
})

it('keeps a version named __proto__ as a version, in both forms', () => {
  const doc = JSON.parse(
    '{"name":"proto","versions":{"__proto__":{"name":"proto","version":"__proto__","dist":{"tarball":"https://r.example/proto/-/proto-0.0.1.tgz"}}}}',
  )
  const stored = rewritePackument(doc, { name: 'proto' })
  for (const [body, offsets] of [
    [stored.full, stored.fullOffsets],
    [stored.abbreviated, stored.abbreviatedOffsets],
  ] as const) {
    const served = JSON.parse(insertBaseUrlInto(body, offsets, 'http://larder/npm').toString('utf8'))
    expect(Object.keys(served.versions)).toEqual(['__proto__'])
  }
  expect(Object.keys(stored.tarballs)).toEqual(['proto-0.0.1.tgz'])
})

it('keeps a version whose scripts is not an object, without an install-script flag', () => {
  const doc = {
    name: 'odd',
    versions: { '1.0.0': { name: 'odd', version: '1.0.0', scripts: 'postinstall', dist: { tarball: 'https://r.example/odd/-/odd-1.0.0.tgz' } } },
  }
  const short = JSON.parse(insertBaseUrlInto(rewritePackument(doc, { name: 'odd' }).abbreviated, [], '').toString('utf8'))
  expect(short.versions['1.0.0'].hasInstallScript).toBeUndefined()
})
