import { describe, expect, it } from 'vitest'
import { parseLimitedYaml, yamlNestsDeeperThan } from './limited-yaml.js'

const limits = { label: 'the metadata', maxBytes: 4 * 1024 * 1024, schema: 'failsafe' as const }

describe('parseLimitedYaml', () => {
  it('parses ordinary YAML, scalars as strings with the failsafe schema', () => {
    expect(parseLimitedYaml('name: demo\nversion:\n  version: 1.10\nlist:\n- a\n- b\n', limits)).toEqual({
      name: 'demo',
      version: { version: '1.10' },
      list: ['a', 'b'],
    })
  })

  it('counts block and flow nesting, not brackets inside scalars', () => {
    expect(yamlNestsDeeperThan('a: "[[[[[[[["\nb: x [[[[[[[[ y\n', 3)).toBe(false)
    expect(yamlNestsDeeperThan('a:\n  b:\n    c:\n      d: 1\n', 3)).toBe(true)
    expect(yamlNestsDeeperThan('- - - - - x\n', 3)).toBe(true)
  })

  it('refuses deep flow nesting quickly, with a 400 naming the limit', () => {
    const deep = `a: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`
    const started = Date.now()
    expect(() => parseLimitedYaml(deep, limits)).toThrow(
      expect.objectContaining({ code: 'E_BAD_REQUEST', message: expect.stringContaining('limit of 64 levels') }),
    )
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(() => parseLimitedYaml(`${'- '.repeat(100_000)}x\n`, limits)).toThrow(/limit of 64 levels/)
  })

  it('takes 60 levels', () => {
    expect(() => parseLimitedYaml(`a: ${'['.repeat(60)}${']'.repeat(60)}`, limits)).not.toThrow()
  })

  it('refuses an alias bomb and an oversized text', () => {
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x,x]']
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i)
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(',')}]`)
    }
    expect(() => parseLimitedYaml(levels.join('\n'), limits)).toThrow(
      expect.objectContaining({ code: 'E_BAD_REQUEST', message: expect.stringContaining('aliases beyond the limit of 100') }),
    )
    expect(() => parseLimitedYaml('a: b', { ...limits, maxBytes: 2 })).toThrow(expect.objectContaining({ code: 'E_TOO_LARGE' }))
    expect(() => parseLimitedYaml('a: [b', limits)).toThrow(/not valid YAML/)
  })
})
