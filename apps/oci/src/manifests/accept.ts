/**
 * What a client's Accept allows of a stored manifest. A client that names manifest types and not the stored one
 * gets what distribution gives it: for an index, the linux/amd64 manifest when it takes single manifests (old
 * clients without multi-platform support); otherwise MANIFEST_UNKNOWN. No Accept, or one naming no manifest type
 * (`*\/*`, `application/json`), takes whatever is stored.
 */
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './media-types.js'

export type AcceptDecision = { kind: 'serve' } | { kind: 'platform'; digest: string } | { kind: 'refuse'; accepted: string[] }

const SINGLE = [OCI_MANIFEST, DOCKER_MANIFEST]
const INDEXES = [OCI_INDEX, DOCKER_MANIFEST_LIST]

/** The manifest media types an Accept header names (parameters and q-values aside), or undefined when it names none. */
export function acceptedManifestTypes(accept: string | undefined): string[] | undefined {
  const types = (accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .filter((type) => /^application\/vnd\.(oci|docker)\..*\+json$/.test(type))
  return types.length > 0 ? types : undefined
}

/** `bytes` is read only for an index the client cannot take. */
export async function decideAccept(accept: string | undefined, storedType: string, bytes: () => Promise<Buffer>): Promise<AcceptDecision> {
  const accepted = acceptedManifestTypes(accept)
  if (!accepted || accepted.includes(storedType)) return { kind: 'serve' }
  if (INDEXES.includes(storedType) && accepted.some((type) => SINGLE.includes(type))) {
    const digest = defaultPlatform(await bytes())
    if (digest) return { kind: 'platform', digest }
  }
  return { kind: 'refuse', accepted }
}

/** The linux/amd64 entry of an index, as distribution picks for clients that cannot read one. */
function defaultPlatform(bytes: Buffer): string | undefined {
  try {
    const index = JSON.parse(bytes.toString('utf8')) as { manifests?: { digest?: unknown; platform?: { os?: unknown; architecture?: unknown } }[] }
    const entry = index.manifests?.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64')
    return typeof entry?.digest === 'string' ? entry.digest : undefined
  } catch {
    return undefined
  }
}
