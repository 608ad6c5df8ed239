import { describe, expect, it } from 'vitest'
import { ArchiveLinks } from './archive-links.js'
import { assertSafeArchivePath, type ArchiveEntryFacts, type ArchivePathOptions } from './safe-archive-path.js'

const options: ArchivePathOptions = { label: 'the archive' }
const file: ArchiveEntryFacts = { kind: 'file' }
const symlink = (linkTarget: string): ArchiveEntryFacts => ({ kind: 'symlink', linkTarget })

describe('assertSafeArchivePath', () => {
  it('takes relative paths and returns them normalized', () => {
    expect(assertSafeArchivePath('package/lib/index.js', file, options)).toBe('package/lib/index.js')
    expect(assertSafeArchivePath('./usr//bin/tool', file, options)).toBe('usr/bin/tool')
    expect(assertSafeArchivePath('./', { kind: 'directory' }, options)).toBe('')
    expect(assertSafeArchivePath('a..b/..c', file, options)).toBe('a..b/..c')
  })

  it.each([
    ['', 'empty name'],
    ['../evil', "'..' segment"],
    ['package/../../evil', "'..' segment"],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/evil.dll', 'Windows drive letter'],
    ['c:evil', 'Windows drive letter'],
    ['package\\..\\..\\evil', 'backslash'],
    ['package/a\0b', 'NUL byte'],
    ['./', 'package root'],
  ])('refuses %j with a 400 that says why', (path, reason) => {
    expect(() => assertSafeArchivePath(path, file, options)).toThrow(
      expect.objectContaining({
        code: 'E_BAD_REQUEST',
        message: expect.stringMatching(new RegExp(`the archive holds an unsafe entry .*${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)),
      }),
    )
  })

  it('takes symlinks that stay inside the package', () => {
    expect(assertSafeArchivePath('package/bin/tool', symlink('../lib/tool.js'), options)).toBe('package/bin/tool')
    expect(assertSafeArchivePath('package/x', symlink('./y'), options)).toBe('package/x')
  })

  it.each([
    ['package/evil', '../../etc/passwd', 'links outside the package'],
    ['evil', '..', 'links outside the package'],
    ['package/evil', '/etc/passwd', 'absolute path'],
    ['package/evil', 'C:/Windows', 'Windows drive'],
    ['package/evil', 'a\\..\\..\\x', 'backslash'],
    ['package/evil', '', 'without a target'],
  ])('refuses the symlink %s -> %j', (path, target, reason) => {
    expect(() => assertSafeArchivePath(path, symlink(target), options)).toThrow(new RegExp(reason.replace(/\\/g, '\\\\')))
  })

  it('resolves absolute link targets against the package root when the root is /', () => {
    const deb: ArchivePathOptions = { label: 'data.tar', absoluteLinks: 'root' }
    expect(assertSafeArchivePath('./usr/bin/editor', symlink('/etc/alternatives/editor'), deb)).toBe('usr/bin/editor')
    expect(() => assertSafeArchivePath('./usr/bin/x', symlink('../../../etc/shadow'), deb)).toThrow(/links outside/)
  })

  it('refuses hard links to unsafe paths', () => {
    expect(assertSafeArchivePath('package/b', { kind: 'hardlink', linkTarget: 'package/a' }, options)).toBe('package/b')
    expect(() => assertSafeArchivePath('package/b', { kind: 'hardlink', linkTarget: '../../etc/passwd' }, options)).toThrow(/hard link to an unsafe path/)
    expect(() => assertSafeArchivePath('package/b', { kind: 'hardlink', linkTarget: '/etc/passwd' }, options)).toThrow(/hard link to an unsafe path/)
  })
})

describe('ArchiveLinks', () => {
  const check = (entries: [string, ArchiveEntryFacts][], opts = options) => {
    const links = new ArchiveLinks(opts)
    for (const [path, facts] of entries) links.add(assertSafeArchivePath(path, facts, opts), facts.kind, facts.linkTarget)
    links.assertContained()
  }

  it('takes links to links that stay inside', () => {
    expect(() =>
      check([
        ['p/a', symlink('b')],
        ['p/b', symlink('c/d')],
        ['p/c/d', file],
        ['p/e/f', file],
      ]),
    ).not.toThrow()
  })

  it('refuses a chain that leaves the package though each link alone stays inside', () => {
    expect(() =>
      check([
        ['a', symlink('.')],
        ['d/b', symlink('../a/../x')],
      ]),
    ).toThrow(/through other links/)
  })

  it('refuses files written through a link that leaves the package', () => {
    expect(() =>
      check([
        ['p/up', symlink('..')],
        ['p/up/up2', symlink('..')],
        ['p/up/up2/x', file],
      ]),
    ).toThrow(/outside the package/)
  })

  it('refuses link loops, a symlink sharing its path with another entry, and hard links to symlinks', () => {
    expect(() =>
      check([
        ['p/a', symlink('b')],
        ['p/b', symlink('a')],
        ['p/a/x', file],
      ]),
    ).toThrow(/outside the package/)
    expect(() =>
      check([
        ['p/a', { kind: 'directory' }],
        ['p/a', symlink('.')],
      ]),
    ).toThrow(/shares its path/)
    expect(() =>
      check([
        ['p/deep/s', symlink('../x')],
        ['p/h', { kind: 'hardlink', linkTarget: 'p/deep/s' }],
      ]),
    ).toThrow(/hard link to the symbolic link/)
  })
})
