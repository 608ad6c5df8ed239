/** Digests as lockfiles state them, turned into lowercase hex by Node hash name (sha1, sha256, sha384, sha512, md5). */
import { getHashes } from 'node:crypto'

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
