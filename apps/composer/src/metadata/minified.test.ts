import { buildComposerPackage, composerVersionEntry, minifyVersions } from '@larder/testkit'
import { describe, expect, it } from 'vitest'
import { buildDistIndex, findDist, referenceSegment } from './dist-index.js'
import { expandMinified, versionsOf } from './minified.js'

const entries = ['2.0.0', '1.1.0', '1.0.0'].map((version) => {
  const pkg = buildComposerPackage({ name: 'acme/lib', version, require: version === '1.0.0' ? {} : { php: '>=8.1' } })
  return composerVersionEntry(pkg, { distUrl: `http://dists.test/${pkg.reference}`, shasum: version === '2.0.0' ? 'real' : 'empty' })
})

describe('expandMinified', () => {
  it('undoes minifyVersions, including keys removed with __unset', () => {
    const minified = minifyVersions(entries)
    expect(JSON.stringify(minified).length).toBeLessThan(JSON.stringify(entries).length)
    expect(expandMinified(minified)).toEqual(entries)
    expect(expandMinified([{ a: 1, b: 2 }, { b: '__unset' }, { c: 3 }])).toEqual([{ a: 1, b: 2 }, { a: 1 }, { a: 1, c: 3 }])
  })

  it('reads plain and minified documents and refuses others', () => {
    expect(versionsOf({ packages: { 'acme/lib': minifyVersions(entries) }, minified: 'composer/2.0' }, 'acme/lib')).toEqual(entries)
    expect(versionsOf({ packages: { 'acme/lib': entries } }, 'acme/lib')).toEqual(entries)
    expect(versionsOf({ packages: {} }, 'acme/lib')).toEqual([])
    // json_encode's empty map, which Composer reads as no versions.
    expect(versionsOf({ packages: [] }, 'acme/lib')).toEqual([])
    expect(() => versionsOf({ packages: ['acme/lib'] }, 'acme/lib')).toThrow(/packages/)
    expect(() => versionsOf({ packages: {}, minified: 'composer/9' }, 'acme/lib')).toThrow(/minified/)
  })
})

describe('dist index', () => {
  it('finds a dist by the segments of a mirror URL, with its shasum only when one is given', () => {
    const index = buildDistIndex(expandMinified(minifyVersions(entries)))
    const v2 = entries[0]!.dist as { reference: string; url: string; shasum: string }
    expect(findDist(index, '2.0.0.0', v2.reference, 'zip')).toMatchObject({ url: v2.url, shasum: v2.shasum, version: '2.0.0' })
    const v1 = entries[2]!.dist as { reference: string }
    expect(findDist(index, '1.0.0.0', v1.reference, 'zip')?.shasum).toBeUndefined()
    expect(findDist(index, '1.0.0.0', v1.reference, 'tar')).toBeUndefined()
    expect(findDist(index, '1.0.0.0', 'ffff', 'zip')).toBeUndefined()
    expect(referenceSegment('not-hex/branch')).toMatch(/^[a-f0-9]{32}$/)
  })
})
