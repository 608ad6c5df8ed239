import { describe, expect, it } from 'vitest'
import { parseStanzas, field, renderStanza } from './deb822.js'
import { isLarderError } from '@larder/core'
import { parsePoolIndex } from '../mirror/pool-index.js'
import { parseRelease } from './release-file.js'

const RELEASE = `Origin: Debian
Date: Sat, 10 Aug 2024 09:00:00 UTC
Valid-Until: Sat, 17 Aug 2024 09:00:00 UTC
Acquire-By-Hash: yes
MD5Sum:
 0123456789abcdef0123456789abcdef      12 main/binary-amd64/Packages
SHA256:
 ${'ab'.repeat(32)}      12 main/binary-amd64/Packages
 ${'cd'.repeat(32)}       7 main/binary-amd64/Packages.xz
`

describe('release files', () => {
  it('reads dates, by-hash support and the index table with every digest', () => {
    const facts = parseRelease(RELEASE, 'Release')
    expect(facts.date).toBe(Date.UTC(2024, 7, 10, 9))
    expect(facts.validUntil).toBe(Date.UTC(2024, 7, 17, 9))
    expect(facts.acquireByHash).toBe(true)
    expect(facts.files['main/binary-amd64/Packages']).toEqual({ size: 12, md5: '0123456789abcdef0123456789abcdef', sha256: 'ab'.repeat(32) })
    expect(facts.files['main/binary-amd64/Packages.xz']).toEqual({ size: 7, sha256: 'cd'.repeat(32) })
  })

  it('refuses a document that is not a Release as upstream garbage (the previous one is served), not as a bad request', () => {
    for (const parse of [
      () => parseRelease('<html>\n', 'Release'),
      () => parseRelease(' Suite: x\n', 'Release'),
      () => parsePoolIndex('<html>\n', 'Packages'),
    ]) {
      const error = (() => {
        try {
          parse()
        } catch (err) {
          return err
        }
      })()
      expect(isLarderError(error, 'E_UPSTREAM_GARBAGE'), String(error)).toBe(true)
    }
    expect(() => parseRelease('Foo: bar\n', 'Release')).toThrow(/neither/)
  })

  it('parses and renders stanzas with continuation lines', () => {
    const [stanza] = parseStanzas('Package: a\nDescription: short\n long line\n .\n', 'control')
    expect(field(stanza!, 'description')).toBe('short\n long line\n .')
    expect(renderStanza(stanza!)).toBe('Package: a\nDescription: short\n long line\n .\n')
  })

  it('keeps a multi-line value whose first line is empty as it was', () => {
    const text = 'Package: a\nConffiles:\n /etc/a 0123\nDescription: d\n'
    const [stanza] = parseStanzas(text, 'control')
    expect(renderStanza(stanza!)).toBe(text)
  })
})
