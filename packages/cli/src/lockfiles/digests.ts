/** Digests as lockfiles state them, turned into lowercase hex by Node hash name (sha1, sha256, sha384, sha512, md5). */
import { getHashes } from 'node:crypto'
import { integrityChoices } from '@larder/core'

/** Hex digest by algorithm; every one given must match. */
export type Digests = Readonly<Record<string, string>>

const KNOWN = new Set(getHashes())

/** `sha256:<hex>` (pip --hash) or `sha256=<hex>` (Gemfile.lock CHECKSUMS); undefined for anything else. */
export function fromAlgorithmHex(text: string): [string, string] | undefined {
  const m = /^([a-z0-9-]+)[:=]([0-9a-fA-F]+)$/.exec(text.trim())
  if (!m || !KNOWN.has(m[1]!.toLowerCase())) return undefined
  return [m[1]!.toLowerCase(), m[2]!.toLowerCase()]
}

/** "sha256:ab12…" for messages: enough of the digest to tell two apart. */
export function describeDigests(digests: Digests): string {
  return Object.entries(digests)
    .map(([algorithm, hex]) => `${algorithm}:${hex.slice(0, 16)}…`)
    .join(' ')
}

/** Hex digests of some bytes by algorithm, as StreamingDigest computes them. */
export type ComputedDigests = Readonly<Record<string, string | undefined>>

/** Each algorithm any of the acceptable sets names, once: what to hash the bytes with. */
export function algorithmsOf(anyOf: readonly Digests[]): Digests {
  return Object.assign({}, ...anyOf)
}

/** The bytes against the lockfile: the algorithms of the first set they match in full, or why they match none. */
export function matchLockfile(anyOf: readonly Digests[], actual: ComputedDigests): { verified: string[] } | { error: string } {
  const match = anyOf.find((digests) => Object.entries(digests).every(([algorithm, hex]) => actual[algorithm] === hex))
  if (match) return { verified: Object.keys(match) }
  const expected = anyOf.map(describeDigests).join(' or ')
  const got = describeDigests(Object.fromEntries(Object.keys(anyOf[0] ?? {}).map((algorithm) => [algorithm, actual[algorithm]!])))
  return { error: `the bytes do not match the lockfile: got ${got}, the lockfile says ${expected}` }
}

/** What an npm-style `integrity` asks of the bytes, as npm checks it: one of its strongest algorithm's hashes. */
export function integrityExpectation(sri: string | undefined): { expected: Digests; anyOf?: Digests[] } {
  const choices = integrityChoices(sri) as Digests[]
  if (choices.length <= 1) return { expected: choices[0] ?? {} }
  return { expected: {}, anyOf: choices }
}
