/** Expected digests of an artifact (as its index states them) and hashing that checks them while bytes stream. */
import { createHash, type Hash } from 'node:crypto'
import { LarderError } from '../errors/index.js'

export const SUPPORTED_ALGORITHMS = ['sha512', 'sha256', 'sha1', 'md5'] as const
export type DigestAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number]

/** Lowercase hex digests by algorithm; the strongest ones present are checked. */
export type ExpectedDigests = Partial<Record<DigestAlgorithm, string>>

export interface DigestResult {
  sha256: string
  size: number
  digests: Partial<Record<DigestAlgorithm, string>>
}

/** Hashes a byte stream with sha256 (the store's address) plus every algorithm the caller expects. */
export class StreamingDigest {
  private readonly hashes = new Map<DigestAlgorithm, Hash>()
  private size = 0

  constructor(expected: ExpectedDigests = {}) {
    this.hashes.set('sha256', createHash('sha256'))
    for (const algorithm of Object.keys(expected) as DigestAlgorithm[]) {
      if (!this.hashes.has(algorithm)) this.hashes.set(algorithm, createHash(algorithm))
    }
  }

  update(chunk: Uint8Array): void {
    this.size += chunk.byteLength
    for (const hash of this.hashes.values()) hash.update(chunk)
  }

  digest(): DigestResult {
    const digests: DigestResult['digests'] = {}
    for (const [algorithm, hash] of this.hashes) digests[algorithm] = hash.digest('hex')
    return { sha256: digests.sha256!, size: this.size, digests }
  }
}

/** Throws E_INTEGRITY naming the algorithm when any expected digest differs from what was computed. */
export function verifyDigests(what: string, expected: ExpectedDigests, actual: DigestResult): void {
  for (const [algorithm, want] of Object.entries(expected) as [DigestAlgorithm, string][]) {
    const got = actual.digests[algorithm]
    if (got !== want.toLowerCase()) {
      throw new LarderError('E_INTEGRITY', `${what}: ${algorithm} is ${got}, the index says ${want}`, {
        hint: 'the upstream sent bytes that do not match its own index; nothing was stored, retry later',
      })
    }
  }
}

/**
 * The hashes of the strongest algorithm in a Subresource Integrity string ("sha512-<base64> sha1-<base64>"), each
 * as its own set: npm (ssri) checks only the strongest algorithm given, and takes bytes matching any one of its hashes.
 */
export function integrityChoices(sri: string | undefined): ExpectedDigests[] {
  const tokens: [DigestAlgorithm, string][] = []
  for (const token of (sri ?? '').trim().split(/\s+/)) {
    const dash = token.indexOf('-')
    if (dash < 0) continue
    const algorithm = token.slice(0, dash) as DigestAlgorithm
    if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(algorithm)) continue
    const hex = Buffer.from(token.slice(dash + 1).replace(/\?.*$/, ''), 'base64').toString('hex')
    if (hex.length > 0) tokens.push([algorithm, hex])
  }
  const strongest = SUPPORTED_ALGORITHMS.find((algorithm) => tokens.some(([named]) => named === algorithm))
  return tokens.filter(([algorithm]) => algorithm === strongest).map(([algorithm, hex]) => ({ [algorithm]: hex }))
}

/** The digest an SRI string asks to be checked: its strongest algorithm's first hash (see integrityChoices). */
export function parseIntegrity(sri: string | undefined): ExpectedDigests {
  return integrityChoices(sri)[0] ?? {}
}

/** Formats a hex digest as an SRI token, e.g. toIntegrity('sha512', hex) -> 'sha512-...'. */
export function toIntegrity(algorithm: DigestAlgorithm, hex: string): string {
  return `${algorithm}-${Buffer.from(hex, 'hex').toString('base64')}`
}
