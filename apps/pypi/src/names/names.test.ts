import { describe, expect, it } from 'vitest'
import { isSafeFilename, isValidVersion, normalizedWheelFilename, parseDistFilename, releaseFileIdentity } from './dist-filename.js'
import { normalizeProjectName, parseProjectName } from './project-name.js'

describe('project names', () => {
  it('normalizes per PEP 503', () => {
    expect(normalizeProjectName('Foo.Bar__baz--Qux')).toBe('foo-bar-baz-qux')
  })

  it('refuses traversal and encodings of it', () => {
    for (const raw of ['..', '%2e%2e', '..%2f', 'a%2fb', '%252e%252e', 'a/b', '%00', '-a', 'a b', '%c0%ae%c0%ae', '%']) {
      expect(() => parseProjectName(raw), raw).toThrow(/not a valid project name|percent-encoding/)
    }
    expect(parseProjectName('Zope.Interface')).toEqual({ name: 'Zope.Interface', normalized: 'zope-interface' })
  })
})

describe('distribution file names', () => {
  it('parses wheels with and without a build tag', () => {
    expect(parseDistFilename('foo_bar-1.0.2-py3-none-any.whl')).toEqual({
      kind: 'wheel',
      project: 'foo-bar',
      version: '1.0.2',
      build: '',
      tags: 'py3-none-any',
    })
    expect(parseDistFilename('foo-1.0-1-cp311-cp311-manylinux_2_17_x86_64.whl')).toMatchObject({ version: '1.0' })
    expect(parseDistFilename('foo-py3-none-any.whl')).toBeUndefined()
  })

  it('splits sdists at the hyphen that matches the project', () => {
    expect(parseDistFilename('foo_bar-1.0.tar.gz')).toEqual({ kind: 'sdist', project: 'foo-bar', version: '1.0', extension: '.tar.gz' })
    expect(parseDistFilename('foo-bar-2.0.zip', 'foo-bar')).toEqual({ kind: 'sdist', project: 'foo-bar', version: '2.0', extension: '.zip' })
    expect(parseDistFilename('foo-bar-2.0.zip', 'other')).toBeUndefined()
  })

  it('refuses unsafe names', () => {
    for (const name of ['../x.whl', 'a/b.whl', '.hidden', 'a..b.tar.gz', 'a%2fb', '', 'x'.repeat(300)]) expect(isSafeFilename(name), name).toBe(false)
  })

  it('checks PEP 440 versions', () => {
    for (const v of ['1.0', '1.0rc1', '2!1.0.post2.dev3', '1.0+local.7']) expect(isValidVersion(v), v).toBe(true)
    for (const v of ['', '1.0-', 'abc', '1..0', '1.0 ']) expect(isValidVersion(v), v).toBe(false)
  })

  it('names the normalized wheel file name PyPI requires', () => {
    expect(normalizedWheelFilename('priv_pkg-1.0-py3-none-any.whl')).toBe('priv_pkg-1.0-py3-none-any.whl')
    expect(normalizedWheelFilename('Priv.Pkg-1.0-py3-none-any.whl')).toBe('priv_pkg-1.0-py3-none-any.whl')
    expect(normalizedWheelFilename('priv_pkg-1.0_RC1-2-cp311-cp311-linux_x86_64.whl')).toBe('priv_pkg-1.0rc1-2-cp311-cp311-linux_x86_64.whl')
    expect(normalizedWheelFilename('priv_pkg-1.0.tar.gz')).toBeUndefined()
  })

  it('tells files that are one release file under another spelling', () => {
    const id = (filename: string) => releaseFileIdentity(filename, 'priv-pkg')
    expect(id('priv.pkg-1.0-py3-none-any.whl')).toBe(id('priv_pkg-1.0.0-py3-none-any.whl'))
    expect(id('priv_pkg-1.0-py3-none-any.whl')).not.toBe(id('priv_pkg-1.0-1-py3-none-any.whl'))
    expect(id('priv_pkg-1.0-py3-none-any.whl')).not.toBe(id('priv_pkg-1.0-cp311-cp311-win_amd64.whl'))
    expect(id('priv_pkg-1.0.tar.gz')).toBe(id('priv-pkg-1.0.0.zip'))
    expect(id('priv_pkg-1.0.tar.gz')).not.toBe(id('priv_pkg-1.0-py3-none-any.whl'))
  })
})
