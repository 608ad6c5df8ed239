import { describe, expect, it } from 'vitest'
import { isLarderError } from '@larder/core'
import { encodePath, parseAptPath } from './apt-path.js'

describe('parseAptPath', () => {
  it('classifies release files, indexes, by-hash objects, pool files, keyrings and uploads', () => {
    expect(parseAptPath('/debian/dists/bookworm/InRelease')).toEqual({ archive: 'debian', path: { kind: 'release', suite: 'bookworm', file: 'InRelease' } })
    expect(parseAptPath('/debian/dists/bookworm/main/binary-amd64/Packages.xz')?.path).toEqual({
      kind: 'index',
      suite: 'bookworm',
      path: 'main/binary-amd64/Packages.xz',
    })
    expect(parseAptPath(`/d/dists/s/main/binary-amd64/by-hash/SHA256/${'A'.repeat(64)}`)?.path).toEqual({
      kind: 'by-hash',
      suite: 's',
      dir: 'main/binary-amd64',
      algorithm: 'sha256',
      hash: 'a'.repeat(64),
    })
    expect(parseAptPath('/d/pool/main/libs/libstdc%2B%2B6/libstdc++6_1.0%7erc1_amd64.deb')?.path).toEqual({
      kind: 'pool',
      path: 'pool/main/libs/libstdc++6/libstdc++6_1.0~rc1_amd64.deb',
    })
    expect(parseAptPath('/larder/larder-archive-keyring.asc')?.path).toEqual({ kind: 'keyring', format: 'armored' })
    expect(parseAptPath('/larder/upload/x_1_all.deb')?.path).toEqual({ kind: 'upload', filename: 'x_1_all.deb' })
    expect(parseAptPath('/larder/dists/s/by-hash/SHA999/abc')?.path.kind).toBe('unknown')
  })

  it('refuses encoded slashes and dot segments that would escape a folder', () => {
    for (const bad of ['/d/pool/..%2F..%2Fetc/passwd', '/d/pool/%2e%2e/x', '/larder/upload/..%2fevil.deb', '/d/pool/a%00b']) {
      let error: unknown
      try {
        parseAptPath(bad)
      } catch (err) {
        error = err
      }
      expect(isLarderError(error, 'E_INVALID_NAME'), bad).toBe(true)
    }
  })

  it('encodes each segment for the upstream URL', () => {
    expect(encodePath('pool/main/l/libstdc++6/libstdc++6_1:2~rc1.deb')).toBe('pool/main/l/libstdc%2B%2B6/libstdc%2B%2B6_1%3A2~rc1.deb')
  })
})
