import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { isLarderError } from '@larder/core'
import { DEBIAN_ARCHIVE_KEYRING, loadKeyringConfig, missingDefaultKeyrings } from './keyring-config.js'

const DEFAULT_UPSTREAMS = { debian: 'http://deb.debian.org/debian', 'debian-security': 'http://deb.debian.org/debian-security' }
const VENDOR = { ...DEFAULT_UPSTREAMS, vendor: 'https://repo.example.com/apt' }
/** Any readable file will do: the format is checked when a signature is. */
const READABLE = fileURLToPath(import.meta.url)

function startRefusal(env: Record<string, string>, upstreams: Record<string, string> = VENDOR): Error {
  try {
    loadKeyringConfig(env, upstreams)
  } catch (err) {
    expect(isLarderError(err, 'E_INVALID_OPTION'), String(err)).toBe(true)
    return err as Error
  }
  throw new Error('expected the configuration to be refused')
}

describe('archive keyrings configuration', () => {
  it("checks Debian's default archives against Debian's keyring without any setting", () => {
    expect(loadKeyringConfig({}, DEFAULT_UPSTREAMS)).toEqual({
      keyrings: { debian: DEBIAN_ARCHIVE_KEYRING, 'debian-security': DEBIAN_ARCHIVE_KEYRING },
      insecureNoVerify: [],
    })
  })

  it('refuses to start with an archive that has no keyring, naming the variable to set and the way out', () => {
    const error = startRefusal({})
    expect(error.message).toBe(
      'no keyring to check the Release signatures of the APT archive vendor: set LARDER_APT_KEYRINGS=vendor=/path/to/vendor-archive-keyring.gpg',
    )
    expect((error as { hint?: string }).hint).toContain('LARDER_APT_INSECURE_NO_VERIFY=vendor')
  })

  it('takes a configured keyring (over a default) or an explicit opt-out', () => {
    expect(loadKeyringConfig({ LARDER_APT_KEYRINGS: `vendor=${READABLE}, debian=${READABLE}` }, VENDOR).keyrings).toEqual({
      debian: READABLE,
      'debian-security': DEBIAN_ARCHIVE_KEYRING,
      vendor: READABLE,
    })
    expect(loadKeyringConfig({ LARDER_APT_INSECURE_NO_VERIFY: 'vendor,debian-security' }, VENDOR)).toEqual({
      keyrings: { debian: DEBIAN_ARCHIVE_KEYRING },
      insecureNoVerify: ['vendor', 'debian-security'],
    })
  })

  it('refuses names that are no archive, unreadable keyrings, malformed items and contradictions', () => {
    expect(startRefusal({ LARDER_APT_KEYRINGS: `vendr=${READABLE}` }).message).toMatch(
      /LARDER_APT_KEYRINGS names "vendr", not an archive of LARDER_APT_UPSTREAMS/,
    )
    expect(startRefusal({ LARDER_APT_INSECURE_NO_VERIFY: 'vendr' }).message).toMatch(/LARDER_APT_INSECURE_NO_VERIFY names "vendr"/)
    expect(startRefusal({ LARDER_APT_KEYRINGS: 'vendor=/nonexistent/vendor.gpg' }).message).toBe(
      'LARDER_APT_KEYRINGS: the keyring of "vendor", /nonexistent/vendor.gpg, cannot be read (ENOENT)',
    )
    expect(startRefusal({ LARDER_APT_KEYRINGS: READABLE }).message).toMatch(/is not name=\/path\/to\/keyring\.gpg/)
    expect(startRefusal({ LARDER_APT_KEYRINGS: `vendor=${READABLE},vendor=${READABLE}` }).message).toMatch(/names "vendor" twice/)
    expect(startRefusal({ LARDER_APT_KEYRINGS: `vendor=${READABLE}`, LARDER_APT_INSECURE_NO_VERIFY: 'vendor' }).message).toMatch(
      /both in LARDER_APT_KEYRINGS and in LARDER_APT_INSECURE_NO_VERIFY/,
    )
  })

  it('names the default keyrings this machine lacks (a warning at start, not a refusal)', () => {
    const config = loadKeyringConfig({ LARDER_APT_KEYRINGS: `vendor=${READABLE}` }, VENDOR)
    expect(missingDefaultKeyrings(config)).toEqual(existsSync(DEBIAN_ARCHIVE_KEYRING) ? [] : ['debian', 'debian-security'])
  })
})
