import { createHash } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildGem, readTarMembers, writeTar, type BuiltGem } from '@larder/testkit'
import { readGemPackage } from './gem-package.js'

let real: BuiltGem
let members: Map<string, Buffer>

beforeAll(async () => {
  real = await buildGem({ name: 'checksummed', version: '1.0.0' })
  members = readTarMembers(real.bytes)
}, 180_000)

/** The real gem with another checksums.yaml. */
const withChecksums = (yaml: string) =>
  writeTar([
    { name: 'metadata.gz', data: members.get('metadata.gz')! },
    { name: 'data.tar.gz', data: members.get('data.tar.gz')! },
    { name: 'checksums.yaml.gz', data: gzipSync(yaml) },
  ])
const digest = (algorithm: string, member: string) => createHash(algorithm).update(members.get(member)!).digest('hex')

describe('checksums.yaml of a pushed gem', () => {
  it('accepts the SHA256 and SHA512 listing `gem build` writes', async () => {
    const written = gunzipSync(members.get('checksums.yaml.gz')!).toString('utf8')
    expect(written).toContain(`SHA512:\n  metadata.gz: ${digest('sha512', 'metadata.gz')}`)
    await expect(readGemPackage(real.bytes)).resolves.toMatchObject({ spec: { name: 'checksummed', version: '1.0.0' } })
  })

  it('refuses a member whose SHA256 or SHA512 differs from the listing', async () => {
    const sha256 = `---\nSHA256:\n  metadata.gz: ${digest('sha256', 'metadata.gz')}\n  data.tar.gz: ${'0'.repeat(64)}\n`
    await expect(readGemPackage(withChecksums(sha256))).rejects.toThrow(/not a valid \.gem: data\.tar\.gz does not match its SHA256 in checksums\.yaml/)
    const sha512 = `---\nSHA256:\n  metadata.gz: ${digest('sha256', 'metadata.gz')}\nSHA512:\n  metadata.gz: ${'1'.repeat(128)}\n`
    await expect(readGemPackage(withChecksums(sha512))).rejects.toThrow(/metadata\.gz does not match its SHA512/)
  })

  it('reads flow style and quoted digests, and ignores sections RubyGems does not check', async () => {
    const yaml = `{SHA256: {"metadata.gz": '${digest('sha256', 'metadata.gz')}'}, SHA1: {metadata.gz: nonsense}}\n`
    await expect(readGemPackage(withChecksums(yaml))).resolves.toBeDefined()
  })

  it('refuses a listing that is not YAML, as `gem install` would', async () => {
    await expect(readGemPackage(withChecksums('SHA256: [unclosed\n'))).rejects.toMatchObject({
      code: 'E_BAD_REQUEST',
      message: expect.stringMatching(/checksums\.yaml is not valid YAML/),
    })
  })
})
