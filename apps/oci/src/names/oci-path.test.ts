import { describe, expect, it } from 'vitest'
import { OciError } from '../errors/oci-error.js'
import { parseOciPath } from './oci-path.js'

const D = `sha256:${'ab'.repeat(32)}`

function codeOf(path: string): string | undefined {
  try {
    parseOciPath(path)
    return undefined
  } catch (err) {
    return err instanceof OciError ? err.ociCode : 'not an OciError'
  }
}

describe('parseOciPath', () => {
  it('tells the endpoints apart, reading the name up to the endpoint from the end', () => {
    expect(parseOciPath('/')).toEqual({ kind: 'base' })
    expect(parseOciPath('')).toEqual({ kind: 'base' })
    expect(parseOciPath('/docker.io/library/debian/manifests/bookworm')).toEqual({
      kind: 'manifest',
      name: ['docker.io', 'library', 'debian'],
      reference: { kind: 'tag', tag: 'bookworm' },
    })
    expect(parseOciPath(`/a/manifests/b/manifests/${D}`)).toEqual({ kind: 'manifest', name: ['a', 'manifests', 'b'], reference: { kind: 'digest', digest: D } })
    expect(parseOciPath(`/a/b/blobs/${D}`)).toEqual({ kind: 'blob', name: ['a', 'b'], digest: D })
    expect(parseOciPath('/a/b/tags/list')).toEqual({ kind: 'tags', name: ['a', 'b'] })
    expect(parseOciPath('/a/b/blobs/uploads/')).toEqual({ kind: 'upload', name: ['a', 'b'] })
    expect(parseOciPath('/a/b/blobs/uploads/1234-abcd')).toEqual({ kind: 'upload', name: ['a', 'b'], session: '1234-abcd' })
    expect(parseOciPath(`/a/referrers/${D}`)).toEqual({ kind: 'referrers', name: ['a'], digest: D })
    expect(parseOciPath('/_catalog')).toEqual({ kind: 'catalog' })
  })

  it("accepts distribution's separators and refuses everything else in a name", () => {
    expect(parseOciPath('/a.b/c__d/e-f/g---h/i_j/manifests/v1').kind).toBe('manifest')
    for (const name of ['A', 'a..b', 'a.', '.a', '-a', 'a-', 'a___b', '..', '.', '', 'a b', 'a%2fb', 'a%5cb', '%252e', 'a%00b', '%zz']) {
      expect(codeOf(`/${name}/manifests/v1`), name).toBe('NAME_INVALID')
    }
    expect(codeOf(`/${'a/'.repeat(128)}x/manifests/v1`)).toBe('NAME_INVALID')
  })

  it('checks tags and digests: sha256 with 64 lower-case hex digits only', () => {
    expect(parseOciPath('/a/manifests/_v1.0-rc.1').kind).toBe('manifest')
    expect(codeOf(`/a/manifests/${'x'.repeat(129)}`)).toBe('TAG_INVALID')
    expect(codeOf('/a/manifests/.v1')).toBe('TAG_INVALID')
    expect(codeOf('/a/manifests/sha512:' + 'a'.repeat(128))).toBe('DIGEST_INVALID')
    expect(codeOf(`/a/blobs/sha256:${'A'.repeat(64)}`)).toBe('DIGEST_INVALID')
    expect(codeOf(`/a/blobs/sha256:${'a'.repeat(65)}`)).toBe('DIGEST_INVALID')
    expect(codeOf('/a/blobs/latest')).toBe('DIGEST_INVALID')
    expect(codeOf('/a/b')).toBe('UNSUPPORTED')
    expect(codeOf('/a/b/c/other/x')).toBe('UNSUPPORTED')
  })
})
