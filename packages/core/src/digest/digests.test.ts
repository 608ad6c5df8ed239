import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isLarderError } from '../errors/index.js'
import { StreamingDigest, integrityChoices, parseIntegrity, toIntegrity, verifyDigests } from './digests.js'

const body = Buffer.from('hello larder')
const hex = (algorithm: string) => createHash(algorithm).update(body).digest('hex')

describe('digests', () => {
  it('reads SRI strings as npm checks them: the strongest algorithm only, any of its hashes, unknown ones ignored', () => {
    const sri = `sha1-${Buffer.from('wrong').toString('base64')} ${toIntegrity('sha512', hex('sha512'))} sha384-abc`
    expect(parseIntegrity(sri)).toEqual({ sha512: hex('sha512') })
    const other = 'f'.repeat(128)
    expect(integrityChoices(`${toIntegrity('sha512', other)} ${toIntegrity('sha512', hex('sha512'))}`)).toEqual([{ sha512: other }, { sha512: hex('sha512') }])
    expect(parseIntegrity(toIntegrity('sha1', hex('sha1')))).toEqual({ sha1: hex('sha1') })
    expect(parseIntegrity(undefined)).toEqual({})
  })

  it('hashes chunks and verifies every expected algorithm', () => {
    const digest = new StreamingDigest({ sha512: hex('sha512'), sha1: hex('sha1') })
    digest.update(body.subarray(0, 3))
    digest.update(body.subarray(3))
    const result = digest.digest()
    expect(result).toMatchObject({ sha256: hex('sha256'), size: body.length })
    expect(() => verifyDigests('x', { sha512: hex('sha512'), sha1: hex('sha1') }, result)).not.toThrow()
  })

  it('refuses a mismatch with E_INTEGRITY', () => {
    const digest = new StreamingDigest({ sha1: hex('sha1') })
    digest.update(Buffer.from('tampered'))
    try {
      verifyDigests('pkg.tgz', { sha1: hex('sha1') }, digest.digest())
      expect.unreachable()
    } catch (err) {
      expect(isLarderError(err, 'E_INTEGRITY')).toBe(true)
      expect((err as Error).message).toContain('pkg.tgz')
    }
  })
})
