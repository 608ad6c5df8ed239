/** Pipfile.lock as locked items: pins of both sections matched by hash on the project page; VCS, file and path entries. */
import { describe, expect, it } from 'vitest'
import { pipfileLockFormat, readPipfileLock } from './pipfile-lock.js'
import {
  ARCHIVE_URL,
  GIT_COMMIT,
  GIT_REPO,
  hex,
  itemRows,
  OTHER_VERSION,
  projectPage,
  release,
  resolveAgainst,
  SDIST,
  sdistFile,
  WHEEL,
  wheelFile,
  WRONG,
} from './python-fixtures.harness.js'

// As pipenv 2022.12 writes it (pipfile-spec 6), with the kinds of entries that are not index packages.
const LOCK = JSON.stringify(
  {
    _meta: {
      hash: { sha256: hex('1') },
      'pipfile-spec': 6,
      requires: { python_version: '3.11' },
      sources: [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }],
    },
    default: {
      requests: { hashes: [`sha256:${WHEEL}`, `sha256:${SDIST}`], index: 'pypi', markers: "python_version >= '3.7'", version: '==2.31.0' },
      'from-git': { git: `${GIT_REPO}.git`, ref: GIT_COMMIT },
      'from-url': { file: ARCHIVE_URL },
      mine: { editable: true, path: '.' },
      'local-file': { file: 'file:///srv/wheels/local_file-1.0-py3-none-any.whl' },
      loose: { version: '*' },
    },
    develop: {
      'e2e-lib': { hashes: [`sha256:${WHEEL}`], version: '==1.0' },
      unhashed: { version: '==0.1' },
    },
  },
  null,
  4,
)

describe('Pipfile.lock', () => {
  it('reads default and develop pins; with hashes, the files of the version that have one of them', () => {
    const lock = readPipfileLock('/p/Pipfile.lock', LOCK)
    expect(lock).toMatchObject({ format: 'Pipfile.lock', skipped: 2 })
    expect(itemRows(lock)).toEqual([
      ['requests', '2.31.0', '/p/Pipfile.lock (default.requests)'],
      ['from-git', '', '/p/Pipfile.lock (default.from-git)'],
      ['from-url', '', '/p/Pipfile.lock (default.from-url)'],
      ['loose', '*', '/p/Pipfile.lock (default.loose)'],
      ['e2e-lib', '1.0', '/p/Pipfile.lock (develop.e2e-lib)'],
      ['unhashed', '0.1', '/p/Pipfile.lock (develop.unhashed)'],
    ])
    const page = projectPage('e2e-lib', release('e2e_lib', '1.0'))
    expect(resolveAgainst(lock.items[4]!, page)).toEqual([['e2e_lib-1.0-py3-none-any.whl', { sha256: WHEEL }]])
  })

  it('a pin without hashes is every file of the version, as for an unhashed requirements line', () => {
    const unhashed = readPipfileLock('Pipfile.lock', LOCK).items[5]!
    const page = projectPage('unhashed', [...release('unhashed', '0.1'), sdistFile('unhashed', '0.2', OTHER_VERSION)])
    expect(resolveAgainst(unhashed, page)).toEqual([
      ['unhashed-0.1-py3-none-any.whl', {}],
      ['unhashed-0.1.tar.gz', {}],
    ])
  })

  it('refuses VCS and URL entries and ranges, naming each', () => {
    const [, git, url, loose] = readPipfileLock('Pipfile.lock', LOCK).items
    expect(git!.problem).toMatch(/^a VCS checkout of https:\/\/github.com\/acme\/from-git.git: Larder can hold only what an index lists/)
    expect(url!.problem).toMatch(/^a direct reference to https:\/\/example.com\/from_url-1.0.tar.gz/)
    expect(loose!.problem).toMatch(/"\*" is not pinned/)
  })

  it('a hash no file of the version has fails, naming the package', () => {
    const lock = readPipfileLock(
      'Pipfile.lock',
      LOCK.replace(`"sha256:${WHEEL}"\n            ],\n            "version": "==1.0"`, `"sha256:${WRONG}"\n            ],\n            "version": "==1.0"`),
    )
    const page = projectPage('e2e-lib', [wheelFile('e2e_lib', '1.0')])
    expect(() => resolveAgainst(lock.items[4]!, page)).toThrow(/no file of e2e-lib 1\.0 on the index has sha256:0{64}/)
  })

  it('refuses JSON without _meta and text that is not JSON; is told by _meta and pipfile-spec', () => {
    expect(() => readPipfileLock('Pipfile.lock', '{"default": {}}')).toThrow(/has no "_meta": not a Pipfile.lock/)
    expect(() => readPipfileLock('Pipfile.lock', 'default')).toThrow(/Pipfile.lock is not JSON/)
    expect(pipfileLockFormat.byContent!(LOCK)).toBe(true)
    expect(pipfileLockFormat.byContent!('{"lockfileVersion": 3, "packages": {}}')).toBe(false)
  })
})
