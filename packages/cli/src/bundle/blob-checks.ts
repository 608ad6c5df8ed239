/**
 * What export checks of each blob while it streams into the bundle: that it hashes to its address, and that
 * every lockfile artifact answered from it (held, but left unread by export's offline verify) matches the
 * lockfile's digests. Checking as the bytes are written is what lets export read each file once.
 */
import { LarderError, StreamingDigest, type ExpectedDigests } from '@larder/core'
import type { ItemOutcome } from '../executor/run-items.js'
import { algorithmsOf, matchLockfile, type Digests } from '../lockfiles/digests.js'

/** A lockfile artifact served from a blob: its path (for messages) and the digest sets, any one of which must match. */
export interface LockfileCheck {
  path: string
  anyOf: Digests[]
}

/** The digest checks verify left to the bytes, by the sha256 of the blob each artifact was answered from. */
export function lockfileChecksOf(outcomes: readonly ItemOutcome[]): Map<string, LockfileCheck[]> {
  const checks = new Map<string, LockfileCheck[]>()
  for (const { path, sha256, unchecked } of outcomes.flatMap((outcome) => outcome.artifacts)) {
    if (!sha256 || !unchecked) continue
    let blobChecks = checks.get(sha256)
    if (!blobChecks) checks.set(sha256, (blobChecks = []))
    blobChecks.push({ path, anyOf: unchecked })
  }
  return checks
}

/** Hashes a blob's bytes with sha256 (its address) and each algorithm its checks name. */
export function blobDigest(checks: readonly LockfileCheck[]): StreamingDigest {
  return new StreamingDigest(algorithmsOf(checks.flatMap((check) => check.anyOf)) as ExpectedDigests)
}

/** Throws E_INTEGRITY, naming what failed, when the bytes hashed do not match the blob's address or a lockfile. */
export function assertBlobMatches(sha256: string, digest: StreamingDigest, checks: readonly LockfileCheck[]): void {
  const actual = digest.digest().digests
  if (actual.sha256 !== sha256) {
    throw new LarderError('E_INTEGRITY', `blob ${sha256} hashes to ${actual.sha256}: the store is damaged`, {
      hint: 'larder fsck quarantines it; larder prefetch then fetches it again',
    })
  }
  for (const check of checks) {
    const matched = matchLockfile(check.anyOf, actual)
    if ('error' in matched)
      throw new LarderError('E_INTEGRITY', `${check.path}: ${matched.error}`, { hint: 'larder verify names every file that does not match' })
  }
}
