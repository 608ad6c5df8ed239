import { describe, expect, it } from 'vitest'
import { compareNewestFirst, normalizeReleaseVersion } from './version.js'

describe('normalizeReleaseVersion', () => {
  it('normalizes as Composer does', () => {
    expect(normalizeReleaseVersion('1.2')).toBe('1.2.0.0')
    expect(normalizeReleaseVersion('v1.2.3')).toBe('1.2.3.0')
    expect(normalizeReleaseVersion('1.0.0-beta2')).toBe('1.0.0.0-beta2')
    expect(normalizeReleaseVersion('1.0.0-rc.1')).toBe('1.0.0.0-RC1')
    expect(normalizeReleaseVersion('2.0-p1')).toBe('2.0.0.0-patch1')
    expect(normalizeReleaseVersion('3.0.0-stable')).toBe('3.0.0.0')
  })

  it('refuses branches and nonsense with a 400', () => {
    for (const bad of ['dev-main', '1.x-dev', 'latest', 42, undefined]) {
      expect(() => normalizeReleaseVersion(bad)).toThrow(expect.objectContaining({ code: 'E_BAD_REQUEST' }))
    }
  })

  it('orders newest first', () => {
    const sorted = ['1.0.0.0-beta1', '1.0.0.0', '1.10.0.0', '1.2.0.0', '1.0.0.0-RC1'].sort(compareNewestFirst)
    expect(sorted).toEqual(['1.10.0.0', '1.2.0.0', '1.0.0.0', '1.0.0.0-RC1', '1.0.0.0-beta1'])
  })
})
