/** Requirements files as locked items: files chosen from a project page by version and hash, refusals, includes. */
import { describe, expect, it } from 'vitest'
import type { LockedItem } from '../locked-item.js'
import { OTHER, projectPage, release, resolveArtifacts, WHEEL, wheelFile } from '../python/python-fixtures.harness.js'
import { readRequirementsFile } from './requirements-file.js'

/** A project page as Larder serves it in PEP 691 JSON (absolute links on its external URL, a proxy prefix included). */
const PAGE = projectPage('e2e-lib', [...release('e2e_lib', '1.0'), wheelFile('e2e_lib', '1.1', OTHER)])

async function read(text: string, files: Record<string, string> = {}) {
  return readRequirementsFile('/p/requirements.txt', text, {
    readText: async (path) => {
      if (files[path] === undefined) throw new Error(`ENOENT ${path}`)
      return files[path]!
    },
  })
}

const resolve = (item: LockedItem) => resolveArtifacts(item, PAGE)

describe('requirements files as locked items', () => {
  it('a hashed pin: the project page, then exactly the files whose hashes the lockfile lists', async () => {
    const { items } = await read(`E2E.Lib==1.0.0 \\\n  --hash=sha256:${WHEEL}\n`)
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ ecosystem: 'pypi', name: 'E2E.Lib', version: '1.0.0', source: '/p/requirements.txt:1' })
    expect(items[0]!.indexes).toEqual([{ path: '/pypi/simple/e2e-lib/', accept: 'application/vnd.pypi.simple.v1+json' }])
    expect(resolve(items[0]!)).toEqual([{ path: `/pypi/files/e2e-lib/${WHEEL}/e2e_lib-1.0-py3-none-any.whl`, expected: { sha256: WHEEL } }])
  })

  it('a pin without hashes: every file of that version, nothing expected of them but presence', async () => {
    const { items } = await read('e2e-lib==1.0\n')
    expect(resolve(items[0]!).map((a) => [a.path.split('/').pop(), a.expected])).toEqual([
      ['e2e_lib-1.0-py3-none-any.whl', {}],
      ['e2e_lib-1.0.tar.gz', {}],
    ])
  })

  it('a hash no file of the version has fails, naming the project and the hash', async () => {
    const { items } = await read(`e2e-lib==1.0 --hash=sha256:${WHEEL} --hash=sha256:${'d'.repeat(64)}\n`)
    expect(() => resolve(items[0]!)).toThrow(/no file of e2e-lib 1.0 on the index has sha256:d{64}/)
  })

  it('a version the page does not list fails', async () => {
    const { items } = await read('e2e-lib==2.0\n')
    expect(() => resolve(items[0]!)).toThrow(/lists no file of e2e-lib 2.0/)
  })

  it('a sha512 pin the page cannot answer: every file of the version, judged by its bytes', async () => {
    const sha512 = 'e'.repeat(128)
    const { items } = await read(`e2e-lib==1.0 --hash=sha512:${sha512}\n`)
    expect(resolve(items[0]!).map((a) => a.anyOf)).toEqual([[{ sha512 }], [{ sha512 }]])
  })

  it('refuses unpinned lines, direct references and VCS editables with a clear message; local editables are skipped', async () => {
    const read_ = await read('requests>=2\npkg @ https://x/pkg.tar.gz\n-e git+https://x/y.git#egg=y\n-e .\n')
    expect(read_.items.map((i) => i.problem)).toEqual([
      expect.stringMatching(/"requests>=2" is not pinned: larder needs one exact version per line \(name==version/),
      expect.stringMatching(/a direct reference to https:\/\/x\/pkg.tar.gz/),
      expect.stringMatching(/an editable VCS requirement/),
    ])
    expect(read_.skipped).toBe(1)
  })

  it('follows -r includes relative to the including file, once each; constraints name nothing to fetch', async () => {
    const files = { '/p/base/common.txt': 'six==1.16.0\n-r ../requirements.txt\n', '/p/c.txt': 'never==1.0\n' }
    const { items } = await read('-r base/common.txt\n-c c.txt\nidna==3.4\n', files)
    expect(items.map((i) => [i.name, i.source])).toEqual([
      ['six', '/p/base/common.txt:1'],
      ['idna', '/p/requirements.txt:3'],
    ])
  })
})
