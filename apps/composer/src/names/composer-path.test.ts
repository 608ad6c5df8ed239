import { describe, expect, it } from 'vitest'
import { rawPathAfter } from '@larder/core'
import { parseComposerPath } from './composer-path.js'
import { isPackageName } from './package-name.js'

describe('parseComposerPath', () => {
  it('routes the repository files', () => {
    expect(parseComposerPath('/packages.json')).toEqual({ kind: 'root' })
    expect(parseComposerPath('/p2/acme/lib.json')).toEqual({ kind: 'p2', name: 'acme/lib', dev: false })
    expect(parseComposerPath('/p2/acme/lib~dev.json')).toEqual({ kind: 'p2', name: 'acme/lib', dev: true })
    expect(parseComposerPath('/dists/acme/lib/1.0.0.0/abc123.zip')).toEqual({
      kind: 'dist',
      name: 'acme/lib',
      version: '1.0.0.0',
      reference: 'abc123',
      type: 'zip',
    })
    expect(parseComposerPath('/dists/acme/lib/1.0.0.0/.zip')).toMatchObject({ reference: '' })
    expect(parseComposerPath('/upload')).toEqual({ kind: 'upload' })
    expect(parseComposerPath('/api/security-advisories/')).toEqual({ kind: 'advisories' })
    expect(parseComposerPath('/other')).toEqual({ kind: 'unknown' })
  })

  it('refuses names and segments that are not Composer ones', () => {
    expect(() => parseComposerPath('/p2/Acme/Lib.json')).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }))
    expect(() => parseComposerPath('/p2/%2e%2e/lib.json')).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }))
    expect(() => parseComposerPath('/dists/acme/lib/..%2f/abc.zip')).toThrow(expect.objectContaining({ code: 'E_INVALID_NAME' }))
    expect(() => parseComposerPath('/dists/acme/lib/1.0/not-hex.zip')).toThrow(expect.objectContaining({ code: 'E_INVALID_NAME' }))
    expect(() => parseComposerPath('/dists/acme/lib/1.0/abc.zip/x')).toThrow(expect.objectContaining({ code: 'E_INVALID_NAME' }))
  })

  it('refuses dot segments as sent in the URL', () => {
    expect(() => parseComposerPath(rawPathAfter('http://h/composer/p2/%2e%2e/x.json?y=1', '/composer'))).toThrow(
      expect.objectContaining({ code: 'E_NOT_FOUND' }),
    )
  })

  it('knows Composer names', () => {
    expect(isPackageName('symfony/polyfill-php80')).toBe(true)
    expect(isPackageName('a/b--c')).toBe(true)
    expect(isPackageName('a/-b')).toBe(false)
    expect(isPackageName('nope')).toBe(false)
  })
})
