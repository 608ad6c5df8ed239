import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEBIAN_ARCHIVE_KEYRING } from '../config/keyring-config.js'
import { readAptSettings } from './apt-settings.js'

const base = { dataDir: '/var/lib/larder' }

describe('APT settings', () => {
  it("mirrors Debian's archives by default, with the signing key under the data dir", () => {
    const settings = readAptSettings({}, base)
    expect(settings.upstreams).toEqual({ debian: 'http://deb.debian.org/debian', 'debian-security': 'http://deb.debian.org/debian-security' })
    expect(settings.keyrings).toEqual({ debian: DEBIAN_ARCHIVE_KEYRING, 'debian-security': DEBIAN_ARCHIVE_KEYRING })
    expect(settings.signingKeyPath).toBe(join('/var/lib/larder', 'apt', 'signing-key.asc'))
    expect(settings.hostedName).toBe('larder')
  })

  it('reads LARDER_APT_UPSTREAMS, and checks the keyrings and the hosted name against its archives', () => {
    const env = { LARDER_APT_UPSTREAMS: 'vendor=https://repo.example.com/apt/', LARDER_APT_INSECURE_NO_VERIFY: 'vendor' }
    expect(readAptSettings(env, base).upstreams).toEqual({ vendor: 'https://repo.example.com/apt' })
    expect(() => readAptSettings({ LARDER_APT_UPSTREAMS: 'Vendor=https://x' }, base)).toThrow(/LARDER_APT_UPSTREAMS/)
    expect(() => readAptSettings({ LARDER_APT_UPSTREAMS: 'vendor=https://x' }, base)).toThrow(/LARDER_APT_KEYRINGS=vendor=/)
    expect(() => readAptSettings({ ...env, LARDER_APT_HOSTED_NAME: 'vendor' }, base)).toThrow(
      /LARDER_APT_HOSTED_NAME "vendor" is also a name in LARDER_APT_UPSTREAMS/,
    )
  })
})
