import { describe, expect, it } from 'vitest'
import { isLarderError } from '../errors/index.js'
import { createTokenStore, parseTokenList, tokenFromAuthorization } from './token-store.js'

const grants = parseTokenList('ci=secret-ci-token:npm+pypi, admin=admin-token-123:*')

describe('parseTokenList', () => {
  it('reads names, tokens and scopes', () => {
    expect(grants).toEqual([
      { name: 'ci', token: 'secret-ci-token', scopes: ['npm', 'pypi'] },
      { name: 'admin', token: 'admin-token-123', scopes: ['*'] },
    ])
  })

  it('names the bad item and refuses unknown scopes or short tokens', () => {
    expect(() => parseTokenList('x=short:npm')).toThrow(/LARDER_TOKENS: cannot read item 1 \(x\)/)
    expect(() => parseTokenList('ok=long-enough-1:npm,bad=secret-value-99')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-value') }),
    )
    expect(() => parseTokenList('x=long-enough-token:maven', 'LARDER_TOKENS', ['npm', 'pypi'])).toThrow(/unknown scope "maven"/)
    expect(() => parseTokenList('x=long-enough-token:Bad')).toThrow(/unknown scope "Bad"/)
    expect(parseTokenList('x=long-enough-token:maven')[0]!.scopes).toEqual(['maven'])
  })
})

describe('tokenFromAuthorization', () => {
  it('understands Bearer, Basic (token as password) and a bare key', () => {
    expect(tokenFromAuthorization('Bearer abc')).toBe('abc')
    expect(tokenFromAuthorization(`Basic ${Buffer.from('__token__:xyz').toString('base64')}`)).toBe('xyz')
    expect(tokenFromAuthorization('rubygems_key')).toBe('rubygems_key')
    expect(tokenFromAuthorization(undefined)).toBeUndefined()
  })
})

describe('createTokenStore', () => {
  const tokens = createTokenStore(grants)

  it('lets a scoped token publish only where it may', () => {
    expect(tokens.requirePublisher('Bearer secret-ci-token', 'npm').name).toBe('ci')
    try {
      tokens.requirePublisher('Bearer secret-ci-token', 'apt')
      expect.unreachable()
    } catch (err) {
      expect(isLarderError(err, 'E_FORBIDDEN')).toBe(true)
    }
    expect(tokens.requirePublisher('Bearer admin-token-123', 'apt').name).toBe('admin')
  })

  it('refuses missing and unknown tokens with E_UNAUTHORIZED', () => {
    for (const header of [undefined, 'Bearer nope', 'Basic !!!']) {
      expect(() => tokens.requirePublisher(header, 'npm')).toThrow(/needs a Larder token/)
    }
  })

  it('protects reads only when asked', () => {
    expect(() => tokens.requireReader(undefined, 'npm')).not.toThrow()
    const locked = createTokenStore(grants, { protectReads: true })
    expect(() => locked.requireReader(undefined, 'npm')).toThrow(/LARDER_PROTECT_READS/)
    expect(() => locked.requireReader('Bearer secret-ci-token', 'npm')).not.toThrow()
  })

  it("refuses another ecosystem's token for reads with E_FORBIDDEN, an unknown one with E_UNAUTHORIZED", () => {
    const locked = createTokenStore(grants, { protectReads: true })
    expect(() => locked.requireReader('Bearer secret-ci-token', 'apt')).toThrow(expect.objectContaining({ code: 'E_FORBIDDEN' }))
    expect(() => locked.requireReader('Bearer not-a-token', 'apt')).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED' }))
  })

  it('checks what a route does: a write needs a publisher even with reads open', () => {
    expect(() => tokens.requireAccess(undefined, 'npm', 'read')).not.toThrow()
    expect(() => tokens.requireAccess(undefined, 'npm', 'write')).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED' }))
    expect(() => tokens.requireAccess('Bearer secret-ci-token', 'gems', 'write')).toThrow(expect.objectContaining({ code: 'E_FORBIDDEN' }))
    expect(() => tokens.requireAccess('Bearer secret-ci-token', 'pypi', 'write')).not.toThrow()
  })
})
