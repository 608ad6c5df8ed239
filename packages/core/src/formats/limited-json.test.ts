import { describe, expect, it } from 'vitest'
import { jsonNestingDepth, parseLimitedJson, parseLimitedJsonObject } from './limited-json.js'

const limits = { label: 'the document', maxBytes: 10_000_000, maxDepth: 64 }

describe('parseLimitedJson', () => {
  it('parses ordinary documents', () => {
    expect(parseLimitedJson('{"a":[1,{"b":"c"}]}', limits)).toEqual({ a: [1, { b: 'c' }] })
  })

  it('counts depth without recursion and ignores brackets inside strings', () => {
    expect(jsonNestingDepth(Buffer.from('{"a":[1,{"b":"[[[{{{\\"]]"}]}'))).toBe(3)
    expect(jsonNestingDepth(Buffer.from('[[[]],[]]'))).toBe(3)
  })

  it('refuses 200,000 levels with a 400 naming the limit, before JSON.parse sees it', () => {
    const deep = `{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`
    expect(() => parseLimitedJson(deep, limits)).toThrow(
      expect.objectContaining({ code: 'E_BAD_REQUEST', message: expect.stringContaining('limit of 64 levels') }),
    )
  })

  it('takes exactly the depth limit', () => {
    expect(() => parseLimitedJson(`${'['.repeat(64)}${']'.repeat(64)}`, limits)).not.toThrow()
    expect(() => parseLimitedJson(`${'['.repeat(65)}${']'.repeat(65)}`, limits)).toThrow(/64 levels/)
  })

  it('refuses a body over the size limit with E_TOO_LARGE', () => {
    expect(() => parseLimitedJson('[1,2,3]', { ...limits, maxBytes: 3 })).toThrow(
      expect.objectContaining({ code: 'E_TOO_LARGE', message: expect.stringContaining('limit of 3') }),
    )
  })

  it('refuses what is not JSON, or not an object where one is needed', () => {
    expect(() => parseLimitedJson('{nope', limits)).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST', message: expect.stringContaining('is not JSON') }))
    expect(() => parseLimitedJsonObject('[1]', limits)).toThrow(/not a JSON object/)
  })
})
