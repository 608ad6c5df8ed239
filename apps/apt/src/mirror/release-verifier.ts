/**
 * Checks an upstream InRelease (or Release + Release.gpg) against the archive's keyring before Larder
 * accepts it, with openpgp (already here to sign the hosted repository): no gpg program, no temp files.
 * Larder never re-signs a mirrored archive, so this check is what keeps a forged one from being stored.
 */
import * as openpgp from 'openpgp'
import { LarderError } from '@larder/core'
import type { KeyringConfig } from '../config/keyring-config.js'
import { ArchiveKeyrings } from './archive-keyrings.js'

/** An upstream signing clock a little ahead of Larder's must not make a fresh InRelease "signed in the future". */
export const CLOCK_SKEW_MS = 5 * 60 * 1000

export interface CheckedInRelease {
  /** The signed text (dash escapes undone): the only part of an InRelease whose fields Larder reads. */
  text: string
  /** Fingerprint of the key whose signature is good; absent for archives in LARDER_APT_INSECURE_NO_VERIFY. */
  signedBy?: string
}

type VerificationResult = Awaited<ReturnType<typeof openpgp.verify>>['signatures'][number]

export class ReleaseVerifier {
  private readonly keyrings = new ArchiveKeyrings()

  constructor(private readonly config: KeyringConfig) {}

  private isChecked(archive: string): boolean {
    return !this.config.insecureNoVerify.includes(archive)
  }

  async checkInRelease(archive: string, inRelease: Buffer, label: string): Promise<CheckedInRelease> {
    let message: openpgp.CleartextMessage
    try {
      message = await openpgp.readCleartextMessage({ cleartextMessage: inRelease.toString('utf8') })
    } catch (cause) {
      throw new LarderError('E_UPSTREAM_GARBAGE', `${label} is not a clearsigned message (${(cause as Error).message})`, { cause })
    }
    const text = message.getText()
    if (!this.isChecked(archive)) return { text }
    const keys = await this.keysOf(archive)
    const { signatures } = await openpgp.verify({ message, verificationKeys: keys, date: skewed() })
    return { text, signedBy: await this.goodSigner(archive, signatures, keys, label) }
  }

  /** The fingerprint behind Release.gpg's good signature over these exact Release bytes. */
  async checkDetached(archive: string, release: Buffer, releaseGpg: Buffer, label: string): Promise<string | undefined> {
    if (!this.isChecked(archive)) return undefined
    const keys = await this.keysOf(archive)
    let signature: openpgp.Signature
    try {
      const armored = releaseGpg.subarray(0, 64).toString('latin1').trimStart().startsWith('-----BEGIN PGP')
      signature = armored
        ? await openpgp.readSignature({ armoredSignature: releaseGpg.toString('utf8') })
        : await openpgp.readSignature({ binarySignature: releaseGpg })
    } catch (cause) {
      throw new LarderError('E_INTEGRITY', `${label}: Release.gpg is not an OpenPGP signature (${(cause as Error).message})`, { cause })
    }
    const message = await openpgp.createMessage({ binary: release })
    const { signatures } = await openpgp.verify({ message, signature, verificationKeys: keys, format: 'binary', date: skewed() })
    return this.goodSigner(archive, signatures, keys, label)
  }

  private keysOf(archive: string): Promise<openpgp.Key[]> {
    const path = this.config.keyrings[archive]
    if (!path) throw new LarderError('E_INVALID_OPTION', `the APT archive "${archive}" has no keyring`, { hint: 'set LARDER_APT_KEYRINGS' })
    return this.keyrings.keys(path)
  }

  /**
   * As apt does: one good signature by a key of the keyring is enough (Debian signs with several keys,
   * some of which a client may not have); none is a refusal that says why each signature failed.
   */
  private async goodSigner(archive: string, signatures: VerificationResult[], keys: openpgp.Key[], label: string): Promise<string> {
    const reasons: string[] = []
    for (const { keyID, verified } of signatures) {
      const key = keys.find((k) => k.getKeyIDs().some((id) => id.equals(keyID)))
      try {
        await verified
        if (key) return key.getFingerprint().toUpperCase()
      } catch (err) {
        reasons.push(`${key ? key.getFingerprint().toUpperCase() : keyID.toHex().toUpperCase()}: ${(err as Error).message}`)
      }
    }
    const keyring = this.config.keyrings[archive]
    throw new LarderError('E_INTEGRITY', `${label} has no good signature by a key of ${keyring} (${reasons.join('; ') || 'it has no signature'})`, {
      hint: `if the archive changed its key, put the new one in the keyring of LARDER_APT_KEYRINGS=${archive}=...`,
    })
  }
}

function skewed(): Date {
  return new Date(Date.now() + CLOCK_SKEW_MS)
}
