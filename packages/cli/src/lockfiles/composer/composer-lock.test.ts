/** composer.lock read into dist paths at Larder's mirror URL, and Composer's version normalization. */
import { describe, expect, it } from 'vitest'
import { readComposerLock } from './composer-lock.js'
import { normalizeComposerVersion } from './composer-version.js'

const REF = '0123456789abcdef0123456789abcdef01234567'
const SHA1 = 'f'.repeat(40)

// The shape composer 2 writes (trimmed to the fields read): packagist's empty shasum, a mirror, a branch, a path package.
const LOCK = JSON.stringify({
  'content-hash': 'x',
  packages: [
    {
      name: 'acme/lib',
      version: 'v1.2',
      source: { type: 'git', url: 'https://github.com/acme/lib.git', reference: REF },
      dist: {
        type: 'zip',
        url: `https://api.github.com/repos/acme/lib/zipball/${REF}`,
        reference: REF,
        shasum: '',
        mirrors: [{ url: 'http://larder/composer/dists/%package%/%version%/%reference%.%type%', preferred: true }],
      },
    },
    { name: 'acme/hosted', version: '2.0.0-beta1', dist: { type: 'zip', url: 'https://x/hosted.zip', reference: REF, shasum: SHA1 } },
    { name: 'acme/local', version: 'dev-main', dist: { type: 'path', url: '../local', reference: 'abc' } },
    { name: 'acme/source-only', version: '1.0.0', source: { type: 'git', url: 'https://x/s.git', reference: REF } },
  ],
  'packages-dev': [{ name: 'acme/tools', version: 'dev-feature/x', dist: { type: 'zip', url: 'https://x/t.zip', reference: REF, shasum: '' } }],
})

describe('composer.lock', () => {
  it('names each dist at the mirror URL Composer builds, the p2 file of its kind, and the shasum when there is one', () => {
    const lock = readComposerLock('composer.lock', LOCK)
    expect(lock.skipped).toBe(1)
    const byName = Object.fromEntries(lock.items.map((item) => [item.name, item]))
    expect(byName['acme/lib']).toMatchObject({
      version: 'v1.2',
      indexes: [{ path: '/composer/packages.json' }, { path: '/composer/p2/acme/lib.json' }],
      artifacts: [{ path: `/composer/dists/acme/lib/1.2.0.0/${REF}.zip`, expected: {} }],
    })
    expect(byName['acme/hosted']!.artifacts).toEqual([{ path: `/composer/dists/acme/hosted/2.0.0.0-beta1/${REF}.zip`, expected: { sha1: SHA1 } }])
    // A branch with "/" goes by the md5 of its normalized name, and lives in the ~dev file.
    expect(byName['acme/tools']!.indexes[1]).toEqual({ path: '/composer/p2/acme/tools~dev.json' })
    expect(byName['acme/tools']!.artifacts[0]!.path).toMatch(new RegExp(`^/composer/dists/acme/tools/[0-9a-f]{32}/${REF}\\.zip$`))
    expect(byName['acme/source-only']!.problem).toMatch(/no dist, only a git checkout/)
  })

  it('normalizes versions as Composer does', () => {
    expect(
      ['1', 'v1.2.3', '1.2.3.4', '1.0.0-RC2', '1.0.0-alpha', '1.0.0-stable', '2.1.x-dev', '1.x-dev', 'dev-main', 'main-dev', '20230101', '1.0.0+build'].map(
        normalizeComposerVersion,
      ),
    ).toEqual([
      '1.0.0.0',
      '1.2.3.0',
      '1.2.3.4',
      '1.0.0.0-RC2',
      '1.0.0.0-alpha',
      '1.0.0.0',
      '2.1.9999999.9999999-dev',
      '1.9999999.9999999.9999999-dev',
      'dev-main',
      'dev-main',
      '20230101',
      '1.0.0.0',
    ])
  })
})
