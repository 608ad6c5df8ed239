import { describe, expect, it } from 'vitest'
import { parseNpmPath } from './npm-path.js'

describe('parseNpmPath', () => {
  it('reads packuments in every spelling of a scoped name', () => {
    for (const path of ['/@s/n', '/@s%2fn', '/@s%2Fn']) {
      expect(parseNpmPath(path)).toMatchObject({ kind: 'packument', name: { full: '@s/n' } })
    }
    expect(parseNpmPath('/left-pad')).toMatchObject({ kind: 'packument', name: { full: 'left-pad' } })
  })

  it('reads versions, tags and tarballs', () => {
    expect(parseNpmPath('/a/1.0.0')).toMatchObject({ kind: 'version', spec: '1.0.0' })
    expect(parseNpmPath('/@s%2fn/latest')).toMatchObject({ kind: 'version', name: { full: '@s/n' }, spec: 'latest' })
    expect(parseNpmPath('/@s/n/-/n-1.0.0.tgz')).toMatchObject({ kind: 'tarball', filename: 'n-1.0.0.tgz' })
    expect(parseNpmPath('/a/-/a-1.0.0.tgz/-rev/3-abc')).toMatchObject({ kind: 'tarball', rev: '3-abc' })
    expect(parseNpmPath('/a/-rev/3-abc')).toMatchObject({ kind: 'revision', rev: '3-abc' })
    expect(parseNpmPath('/-/v1/search')).toEqual({ kind: 'special', segments: ['v1', 'search'] })
    expect(parseNpmPath('/')).toEqual({ kind: 'root' })
  })

  it.each([
    '/..%2f..%2fetc%2fpasswd',
    '/%2e%2e/x',
    '/a/-/..%2f..%2fsecret.tgz',
    '/a/-/%2e%2e%2fx.tgz',
    '/%252e%252e',
    '/@s%2f..%2f..',
    '/a/-/x.tgz%00',
    '/a/..%5c..%5cx',
  ])('refuses traversal %s with a 4xx', (path) => {
    expect(() => parseNpmPath(path)).toThrow(expect.objectContaining({ status: expect.any(Number) }))
    try {
      parseNpmPath(path)
    } catch (err) {
      expect((err as { status: number }).status).toBeGreaterThanOrEqual(400)
      expect((err as { status: number }).status).toBeLessThan(500)
    }
  })

  it('refuses malformed percent-encoding with 400', () => {
    expect(() => parseNpmPath('/%E0%A4%A')).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST' }))
  })
})
