import { describe, expect, it } from 'vitest'
import { applyVersionUpdate, readMetadataWrite } from './metadata-write.js'

const stored = () => ({
  name: 'pkg',
  maintainers: [{ name: 'ci', email: 'ci@larder.invalid' }],
  versions: {
    '1.0.0': { name: 'pkg', version: '1.0.0', dependencies: { a: '^1' }, dist: { tarball: 'https://private.larder.invalid/pkg/-/pkg-1.0.0.tgz' } },
    '2.0.0': { name: 'pkg', version: '2.0.0', deprecated: 'old', dist: { tarball: 'https://private.larder.invalid/pkg/-/pkg-2.0.0.tgz' } },
  },
})

/** The document as a client got it: same manifests, tarball URLs on the client's base. */
const asServed = () => {
  const doc: any = structuredClone(stored())
  for (const manifest of Object.values(doc.versions) as any[])
    manifest.dist.tarball = manifest.dist.tarball.replace('https://private.larder.invalid', 'http://h:1/npm')
  return doc
}

describe('readMetadataWrite', () => {
  it('tells npm deprecate/unpublish, owner and star bodies apart', () => {
    expect(readMetadataWrite(asServed()).kind).toBe('versions')
    expect(readMetadataWrite({ _id: 'pkg', _rev: '1-a', maintainers: [] }).kind).toBe('owners')
    expect(readMetadataWrite({ _id: 'pkg', _rev: '1-a', users: { me: true } }).kind).toBe('stars')
    expect(() => readMetadataWrite({ _id: 'pkg' })).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST' }))
  })
})

describe('applyVersionUpdate', () => {
  it('sets and removes deprecated, and "" means removed', () => {
    const current = stored()
    const next = asServed()
    next.versions['1.0.0'].deprecated = 'use 2'
    next.versions['2.0.0'].deprecated = ''
    expect(applyVersionUpdate('pkg', current, next)).toEqual([])
    expect(current.versions['1.0.0']).toMatchObject({ deprecated: 'use 2', dist: { tarball: 'https://private.larder.invalid/pkg/-/pkg-1.0.0.tgz' } })
    expect(current.versions['2.0.0']).not.toHaveProperty('deprecated')
  })

  it('removes versions left out and names their tarballs', () => {
    const current = stored()
    const next = asServed()
    delete next.versions['1.0.0']
    expect(applyVersionUpdate('pkg', current, next)).toEqual(['pkg-1.0.0.tgz'])
    expect(Object.keys(current.versions)).toEqual(['2.0.0'])
  })

  it('refuses any other change to a manifest, before changing anything', () => {
    const current = stored()
    const next = asServed()
    next.versions['1.0.0'].deprecated = 'use 2'
    next.versions['2.0.0'].dependencies = { evil: '*' }
    expect(() => applyVersionUpdate('pkg', current, next)).toThrow(/only "deprecated" can change.*not "dependencies"/)
    expect(current).toEqual(stored())
    const renamed = asServed()
    renamed.versions['1.0.0'].dist.tarball = 'http://h:1/npm/pkg/-/other-1.0.0.tgz'
    expect(() => applyVersionUpdate('pkg', stored(), renamed)).toThrow(/not "dist"/)
  })

  it('refuses new versions, non-string messages, emptying the package, owner and star changes', () => {
    const added = asServed()
    added.versions['3.0.0'] = { name: 'pkg', version: '3.0.0' }
    expect(() => applyVersionUpdate('pkg', stored(), added)).toThrow(/pkg@3.0.0 is not published here, and a new version needs its tarball/)
    const numeric = asServed()
    numeric.versions['1.0.0'].deprecated = 1
    expect(() => applyVersionUpdate('pkg', stored(), numeric)).toThrow(/must be a message string/)
    expect(() => applyVersionUpdate('pkg', stored(), { ...asServed(), versions: {} })).toThrow(/cannot remove every version/)
    const owners = { ...asServed(), maintainers: [{ name: 'ci' }, { name: 'mallory' }] }
    expect(() => applyVersionUpdate('pkg', stored(), owners)).toThrow(expect.objectContaining({ code: 'E_METHOD_NOT_ALLOWED' }))
    const stars = { ...asServed(), users: { me: true } }
    expect(() => applyVersionUpdate('pkg', stored(), stars)).toThrow(/npm star is not supported/)
  })
})
