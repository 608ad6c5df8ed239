/** PEP 440 version equality and distribution file names, as pip reads them. */
import { describe, expect, it } from 'vitest'
import { versionOfFile } from './dist-filename.js'
import { canonicalVersion, normalizeName, sameVersion } from './pep440.js'

describe('PEP 440 versions', () => {
  it('compares as pip does: zero padding, spellings of pre/post/dev, case, epoch', () => {
    expect(sameVersion('1.0', '1.0.0')).toBe(true)
    expect(sameVersion('1.0', '1.0.1')).toBe(false)
    expect(sameVersion('1.0a1', '1.0.0-alpha.1')).toBe(true)
    expect(sameVersion('1.0.post0', '1.0-0')).toBe(true)
    expect(sameVersion('2.0RC1', '2.0rc1')).toBe(true)
    expect(sameVersion('1.0.dev0', '1.0-dev')).toBe(true)
    expect(sameVersion('1!1.0', '1.0')).toBe(false)
    expect(canonicalVersion('v01.02')).toEqual({ public: '0!1.2', local: '' })
  })

  it('ignores a candidate local label only when the pin has none', () => {
    expect(sameVersion('2.0', '2.0+cpu')).toBe(true)
    expect(sameVersion('2.0+cpu', '2.0+cu118')).toBe(false)
    expect(sameVersion('2.0+CPU', '2.0+cpu')).toBe(true)
  })

  it('normalizes project names (PEP 503)', () => {
    expect(normalizeName('Foo.Bar__baz')).toBe('foo-bar-baz')
  })
})

describe('versionOfFile', () => {
  it('reads wheels and sdists of the project, old dashed sdist names included, and nothing of others', () => {
    expect(versionOfFile('e2e_lib-1.0-py3-none-any.whl', 'e2e-lib')).toBe('1.0')
    expect(versionOfFile('e2e_lib-1.0-1-py3-none-any.whl', 'E2E.Lib')).toBe('1.0')
    expect(versionOfFile('e2e-lib-1.0.tar.gz', 'e2e-lib')).toBe('1.0')
    expect(versionOfFile('e2e_lib-1.0.zip', 'e2e-lib')).toBe('1.0')
    expect(versionOfFile('e2e-lib-extra-1.0.tar.gz', 'e2e-lib')).toBeUndefined()
    expect(versionOfFile('e2e_lib-1.0-py3.7.egg', 'e2e-lib')).toBeUndefined()
  })
})
