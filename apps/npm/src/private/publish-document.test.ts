import { describe, expect, it } from 'vitest'
import { isCanonicalVersion, looksLikeVersion } from './publish-document.js'

describe('versions and dist-tags of a publish', () => {
  it('takes SemVer 2.0 versions as npm sends them, build metadata included', () => {
    for (const version of ['0.0.0', '1.2.3', '1.0.0-beta.1', '1.0.0-rc.1+build.5', '10.20.30-alpha-1']) expect(isCanonicalVersion(version)).toBe(true)
  })

  it('refuses what is not SemVer 2.0, or not in the form npm cleans it to', () => {
    for (const version of ['1.0', '01.0.0', '1.0.0-01', '1.0.0-a..b', '1.0.0-', 'v1.0.0', '=1.0.0', ' 1.0.0', '1.0.0\n', 'latest', `1.0.${'9'.repeat(20)}`]) {
      expect(isCanonicalVersion(version), version).toBe(false)
    }
  })

  it('tells tags npm would read as versions from real tags', () => {
    expect(['1.0.0', 'v1.0.0', '1.0.0-beta'].map(looksLikeVersion)).toEqual([true, true, true])
    expect(['latest', 'next', 'beta', 'v1', '1.x'].map(looksLikeVersion)).toEqual([false, false, false, false, false])
  })
})
