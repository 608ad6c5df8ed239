import { describe, expect, it } from 'vitest'
import { isPep440Version, isSpecifierSet, normalizeVersion, versionIdentity } from './pep440.js'

describe('PEP 440 versions', () => {
  it('normalizes spellings as packaging does', () => {
    const cases: [string, string][] = [
      ['1.0', '1.0'],
      ['v1.0-RC.1', '1.0rc1'],
      ['1.0alpha', '1.0a0'],
      ['1.0-1', '1.0.post1'],
      ['1.0_post_2.DEV', '1.0.post2.dev0'],
      ['0!01.02', '1.2'],
      ['2!1.0+Ubuntu-007', '2!1.0+ubuntu.7'],
    ]
    for (const [input, expected] of cases) expect(normalizeVersion(input), input).toBe(expected)
    for (const bad of ['', 'abc', '1..0', '1.0-']) expect(isPep440Version(bad), bad).toBe(false)
  })

  it('gives equal versions one identity, ignoring trailing release zeros only', () => {
    expect(versionIdentity('1.0.0')).toBe(versionIdentity('1'))
    expect(versionIdentity('1.0')).toBe(versionIdentity('1.00.0'))
    expect(versionIdentity('1.0.0rc1')).toBe(versionIdentity('1rc1'))
    expect(versionIdentity('1.0.1')).not.toBe(versionIdentity('1.1'))
    expect(versionIdentity('1.0+local')).not.toBe(versionIdentity('1.0'))
  })
})

describe('PEP 440 specifier sets (Requires-Python)', () => {
  it.each(['>=3.8', '>=3.8,<4', ' >= 3.8 , != 3.9.* ', '~=3.9', '==3.*', '===3.8-custom', '>3.7.0rc1'])('takes %s', (text) => {
    expect(isSpecifierSet(text)).toBe(true)
  })

  it.each(['', ',', '3.8', '"><script>alert(1)</script>', '>=3.8;', '~=3', '>=3.*', '>= 3.8 4', 'x'.repeat(2000)])('refuses %s', (text) => {
    expect(isSpecifierSet(text)).toBe(false)
  })
})
