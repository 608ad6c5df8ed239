import { execFileSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isLarderError } from '@larder/core'
import { createGpgKey, makeTempDir, type GpgKey, type TempDir } from '@larder/testkit'
import { DEBIAN_ARCHIVE_KEYRING } from '../config/keyring-config.js'
import { parseRelease } from '../deb822/release-file.js'
import { ReleaseVerifier } from './release-verifier.js'

// A line starting with '-' is dash-escaped by the signer: the checked text must have it back.
const RELEASE = `Origin: Fixture\nSuite: stable\nDate: Sat, 10 Aug 2024 09:00:00 UTC\n-Odd: line\nSHA256:\n ${'ab'.repeat(32)}     12 main/binary-amd64/Packages\n`
let trusted: GpgKey
let other: GpgKey
let dir: TempDir
const file: Record<string, Buffer> = {}

/** Signs `text` with `key` the way an archive does (gpg --clearsign, gpg --armor --detach-sign), returning the bytes. */
async function sign(key: GpgKey, text: string, name: string): Promise<{ inRelease: Buffer; releaseGpg: Buffer }> {
  const release = join(dir.path, `${name}.Release`)
  await writeFile(release, text)
  await key.clearsign(release, join(dir.path, `${name}.InRelease`))
  await key.detachSign(release, join(dir.path, `${name}.Release.gpg`))
  return { inRelease: await readFile(join(dir.path, `${name}.InRelease`)), releaseGpg: await readFile(join(dir.path, `${name}.Release.gpg`)) }
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(error, 'expected a refusal').toBeInstanceOf(Error)
  return error as Error
}

let verifier: ReleaseVerifier

beforeAll(async () => {
  ;[trusted, other] = await Promise.all([createGpgKey('Trusted Archive <trusted@larder.invalid>'), createGpgKey('Other Archive <other@larder.invalid>')])
  dir = await makeTempDir('larder-verify-')
  Object.assign(file, await sign(trusted, RELEASE, 'good'))
  const forged = await sign(other, RELEASE, 'forged')
  file.forgedInRelease = forged.inRelease
  file.forgedReleaseGpg = forged.releaseGpg
  const both = join(dir.path, 'both.gpg')
  await writeFile(both, Buffer.concat([await readFile(other.keyringPath), await readFile(trusted.keyringPath)]))
  const garbage = join(dir.path, 'garbage.gpg')
  await writeFile(garbage, 'not a keyring\n')
  const keyrings = {
    fixture: trusted.keyringPath,
    armored: trusted.armoredKeyringPath,
    both,
    missing: join(dir.path, 'nope.gpg'),
    garbage,
    swapped: join(dir.path, 'swapped.gpg'),
  }
  await writeFile(keyrings.swapped, await readFile(trusted.keyringPath))
  verifier = new ReleaseVerifier({ keyrings, insecureNoVerify: ['open'] })
}, 120_000)

afterAll(async () => {
  await Promise.all([trusted?.cleanup(), other?.cleanup(), dir?.cleanup()])
})

describe('Release signature checks', () => {
  it('accepts an InRelease signed by a key of the keyring (binary, armored, or among other keys) and gives back the signed text', async () => {
    for (const archive of ['fixture', 'armored', 'both']) {
      const checked = await verifier.checkInRelease(archive, file.inRelease!, 'fixture stable/InRelease')
      expect(checked.signedBy, archive).toBe(trusted.fingerprint)
      expect(checked.text).toBe(RELEASE.trimEnd())
      expect(parseRelease(checked.text, 'InRelease').files['main/binary-amd64/Packages']?.size).toBe(12)
    }
  })

  it('refuses an InRelease signed by another key, saying which key signed it', async () => {
    const error = await refusal(verifier.checkInRelease('fixture', file.forgedInRelease!, 'fixture stable/InRelease'))
    expect(isLarderError(error, 'E_INTEGRITY')).toBe(true)
    expect(error.message).toContain(`fixture stable/InRelease has no good signature by a key of ${trusted.keyringPath}`)
    expect(error.message).toMatch(/Could not find signing key/)
  })

  it('refuses a tampered InRelease: one changed digest breaks the signature', async () => {
    const tampered = Buffer.from(file.inRelease!.toString('utf8').replace('ab'.repeat(32), 'cd'.repeat(32)))
    const error = await refusal(verifier.checkInRelease('fixture', tampered, 'fixture stable/InRelease'))
    expect(isLarderError(error, 'E_INTEGRITY')).toBe(true)
    expect(error.message).toContain(`${trusted.fingerprint}: Signed digest did not match`)
  })

  it('takes text that is no clearsigned message for upstream garbage (a captive portal), not for a bad signature', async () => {
    const error = await refusal(verifier.checkInRelease('fixture', Buffer.from('<html>please log in</html>\n'), 'fixture stable/InRelease'))
    expect(isLarderError(error, 'E_UPSTREAM_GARBAGE')).toBe(true)
  })

  it('checks the detached variant: Release + Release.gpg, armored or binary', async () => {
    const release = Buffer.from(RELEASE)
    expect(await verifier.checkDetached('fixture', release, file.releaseGpg!, 'Release')).toBe(trusted.fingerprint)
    const binary = execFileSync('gpg', ['--batch', '--dearmor'], { input: file.releaseGpg!, env: { ...process.env, GNUPGHOME: trusted.gnupgHome } })
    expect(await verifier.checkDetached('fixture', release, binary, 'Release')).toBe(trusted.fingerprint)
    for (const [what, bytes, signature] of [
      ['wrong key', release, file.forgedReleaseGpg!],
      ['tampered Release', Buffer.from(RELEASE.replace('stable', 'stab1e')), file.releaseGpg!],
      ['garbage Release.gpg', release, Buffer.from('<html></html>')],
    ] as const) {
      const error = await refusal(verifier.checkDetached('fixture', bytes, signature, 'fixture stable/Release'))
      expect(isLarderError(error, 'E_INTEGRITY'), `${what}: ${error.message}`).toBe(true)
    }
  })

  it('refuses everything while the keyring is missing or not a keyring, saying so', async () => {
    const missing = await refusal(verifier.checkInRelease('missing', file.inRelease!, 'InRelease'))
    expect(isLarderError(missing, 'E_INTEGRITY')).toBe(true)
    expect(missing.message).toMatch(/nope\.gpg cannot be read \(ENOENT\)/)
    const garbage = await refusal(verifier.checkInRelease('garbage', file.inRelease!, 'InRelease'))
    expect(garbage.message).toMatch(/garbage\.gpg is not an OpenPGP public keyring/)
  })

  it('reads the keyring again when its file changes (a key added by a package upgrade)', async () => {
    const swapped = join(dir.path, 'swapped.gpg')
    await refusal(verifier.checkInRelease('swapped', file.forgedInRelease!, 'InRelease'))
    await writeFile(swapped, Buffer.concat([await readFile(trusted.keyringPath), await readFile(other.keyringPath)]))
    expect((await verifier.checkInRelease('swapped', file.forgedInRelease!, 'InRelease')).signedBy).toBe(other.fingerprint)
  })

  it('lets an archive in LARDER_APT_INSECURE_NO_VERIFY through unchecked', async () => {
    expect(await verifier.checkInRelease('open', file.forgedInRelease!, 'InRelease')).toEqual({ text: RELEASE.trimEnd() })
    expect(await verifier.checkDetached('open', Buffer.from('anything'), Buffer.from('anything'), 'Release')).toBeUndefined()
  })

  // A real InRelease of debian-security as apt fetched it, kept beside this test so it runs on every machine.
  const REAL_INRELEASE = new URL('./fixtures/debian-security-bookworm-InRelease', import.meta.url)
  it("accepts a real Debian InRelease with Debian's keyring, and refuses it against another keyring", async () => {
    const debian = new ReleaseVerifier({ keyrings: { debian: DEBIAN_ARCHIVE_KEYRING }, insecureNoVerify: [] })
    const bytes = await readFile(REAL_INRELEASE)
    const checked = await debian.checkInRelease('debian', bytes, 'InRelease')
    expect(checked.signedBy).toMatch(/^[0-9A-F]{40}$/)
    expect(parseRelease(checked.text, 'InRelease').acquireByHash).toBe(true)
    expect(isLarderError(await refusal(verifier.checkInRelease('fixture', bytes, 'InRelease')), 'E_INTEGRITY')).toBe(true)
  })
})
