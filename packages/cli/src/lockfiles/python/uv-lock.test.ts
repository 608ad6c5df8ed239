/** uv.lock as locked items: registry packages as exactly the files listed; the project, git, URL and local sources. */
import { describe, expect, it } from 'vitest'
import {
  GIT_COMMIT,
  GIT_REPO,
  hex,
  itemRows,
  OTHER,
  projectPage,
  release,
  resolveAgainst,
  SDIST,
  sdistFile,
  WHEEL,
  wheelFile,
  WRONG,
} from './python-fixtures.harness.js'
import { readUvLock, uvLockFormat } from './uv-lock.js'

/** The second wheel uv locks for markupsafe. */
const LINUX = OTHER
const FILES = 'https://files.pythonhosted.org/packages'

// The shape uv 0.7 writes (version 1, revision 2), trimmed to a few packages of each kind of source.
const LOCK = `version = 1
revision = 2
requires-python = ">=3.11"

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "markupsafe" },
    { name = "six" },
]

[package.metadata]
requires-dist = [{ name = "six", specifier = ">=1.16" }]

[[package]]
name = "markupsafe"
version = "3.0.2"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "${FILES}/b2/97/markupsafe-3.0.2.tar.gz", hash = "sha256:${SDIST}", size = 20537, upload-time = "2024-10-18T15:21:54.129Z" }
wheels = [
    { url = "${FILES}/22/09/MarkupSafe-3.0.2-cp311-cp311-macosx_10_9_universal2.whl", hash = "sha256:${WHEEL}", size = 14353, upload-time = "2024-10-18T15:21:02.187Z" },
    { url = "${FILES}/f1/a4/MarkupSafe-3.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", hash = "sha256:${LINUX}", size = 23120 },
]

[[package]]
name = "six"
version = "1.17.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "${FILES}/94/e7/six-1.17.0.tar.gz", size = 34031 }

[[package]]
name = "from-git"
version = "0.2.0"
source = { git = "${GIT_REPO}?rev=main#${GIT_COMMIT}" }

[[package]]
name = "from-url"
version = "1.0"
source = { url = "https://example.com/from_url-1.0-py3-none-any.whl" }
wheels = [{ url = "https://example.com/from_url-1.0-py3-none-any.whl", hash = "sha256:${WHEEL}" }]

[[package]]
name = "member"
version = "0.1.0"
source = { virtual = "packages/member" }

[[package]]
name = "vendored"
version = "2.0"
source = { path = "vendor/vendored-2.0.tar.gz" }
sdist = { hash = "sha256:${SDIST}" }

[[package]]
name = "found-locally"
version = "1.0"
source = { registry = "../wheels" }
wheels = [{ path = "found_locally-1.0-py3-none-any.whl", hash = "sha256:${WHEEL}" }]
`

const MARKUPSAFE = projectPage('markupsafe', [
  wheelFile('MarkupSafe', '3.0.2', WHEEL, 'cp311-cp311-macosx_10_9_universal2'),
  wheelFile('MarkupSafe', '3.0.2', LINUX, 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64'),
  wheelFile('MarkupSafe', '3.0.2', hex('d'), 'cp312-cp312-win_amd64'),
  sdistFile('markupsafe', '3.0.2'),
])

describe('uv.lock', () => {
  it('holds exactly the files a registry package lists (not every file of the version), each to its hash', () => {
    const lock = readUvLock('/p/uv.lock', LOCK)
    expect(lock).toMatchObject({ format: 'uv.lock', skipped: 4 })
    expect(itemRows(lock)).toEqual([
      ['markupsafe', '3.0.2', '/p/uv.lock (package[1])'],
      ['six', '1.17.0', '/p/uv.lock (package[2])'],
      ['from-git', '0.2.0', '/p/uv.lock (package[3])'],
      ['from-url', '1.0', '/p/uv.lock (package[4])'],
    ])
    expect(resolveAgainst(lock.items[0]!, MARKUPSAFE)).toEqual([
      ['MarkupSafe-3.0.2-cp311-cp311-macosx_10_9_universal2.whl', { sha256: WHEEL }],
      ['MarkupSafe-3.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', { sha256: LINUX }],
      ['markupsafe-3.0.2.tar.gz', { sha256: SDIST }],
    ])
  })

  it('a file without a hash (an index that gives none) is held by name, its presence all that is proved', () => {
    const six = readUvLock('uv.lock', LOCK).items[1]!
    const page = projectPage('six', release('six', '1.17.0', 'py2.py3-none-any'))
    expect(resolveAgainst(six, page)).toEqual([['six-1.17.0.tar.gz', {}]])
  })

  it('refuses git and URL sources, naming them', () => {
    const [, , git, url] = readUvLock('uv.lock', LOCK).items
    expect(git!.problem).toMatch(/^a git checkout of https:\/\/github.com\/acme\/from-git\?rev=main#0123.*: Larder can hold only what an index lists/)
    expect(url!.problem).toMatch(/^a direct reference to https:\/\/example.com\/from_url-1.0-py3-none-any.whl/)
  })

  it('a hash the index does not have for the file fails, naming the package', () => {
    const lock = readUvLock('uv.lock', LOCK.replace(`sha256:${LINUX}`, `sha256:${WRONG}`))
    expect(() => resolveAgainst(lock.items[0]!, MARKUPSAFE)).toThrow(/no file of markupsafe 3\.0\.2 on the index has sha256:0{64}/)
  })

  it('refuses a malformed hash and lock versions it does not know', () => {
    const lock = readUvLock('uv.lock', LOCK.replace(`hash = "sha256:${SDIST}", size = 20537`, 'hash = "sha256:xyz"'))
    expect(lock.items[0]!.problem).toMatch(/markupsafe-3\.0\.2\.tar\.gz: the hash "sha256:xyz" is not algorithm:hex/)
    expect(() => readUvLock('uv.lock', 'version = 2\n')).toThrow(/uv\.lock version 2: larder reads version 1/)
    expect(() => readUvLock('uv.lock', '[[package]]\nname = "x"\n')).toThrow(/has no version: not a uv\.lock/)
  })

  it('is told by its name and by an integer version beside [[package]] tables', () => {
    expect(uvLockFormat.byName('uv.lock')).toBe(true)
    expect(uvLockFormat.byContent!(LOCK)).toBe(true)
    expect(uvLockFormat.byContent!('[[package]]\nname = "x"\nversion = "1.0"\n\n[metadata]\ncontent-hash = "x"\n')).toBe(false)
  })
})
