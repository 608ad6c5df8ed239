/**
 * Everything a pull of one image reads, from its top manifest down: every manifest of an index (each platform,
 * attestations too, indexes of indexes) as documents, a level per round, then every config and layer blob of each.
 */
import { createHash } from 'node:crypto'
import { documentBodies } from '../../executor/more-documents.js'
import type { DocumentBodies, IndexDocument, LockedArtifact } from '../locked-item.js'

/** What skopeo and containerd accept, multi-platform forms first: the stored form is served as it is. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ')

interface Descriptor {
  digest?: unknown
}

interface Manifest {
  manifests?: Descriptor[]
  config?: Descriptor
  layers?: Descriptor[]
}

export interface Walked {
  artifacts: LockedArtifact[]
  /** The top manifest's digest: what a tag names now. */
  digest: string
}

export function manifestDocument(name: string, reference: string): IndexDocument {
  return { path: `/v2/${name}/manifests/${reference}`, accept: MANIFEST_ACCEPT }
}

/** `wanted` is the digest the reference pins, if it does; every manifest reached by digest is checked against it. */
export function walkImage(documents: DocumentBodies, name: string, top: IndexDocument, wanted: string | undefined): Walked {
  const [topBody] = documentBodies(documents, [top])
  const digest = wanted ? checked(top.path, topBody!, wanted) : digestOf(topBody!, 'sha256')
  const blobs = new Map<string, LockedArtifact>()
  let level: { path: string; body: string }[] = [{ path: top.path, body: topBody! }]
  const seen = new Set([digest])
  while (level.length > 0) {
    const children: { doc: IndexDocument; digest: string }[] = []
    for (const { path, body } of level) {
      const manifest = parseManifest(path, body)
      if (Array.isArray(manifest.manifests)) {
        for (const entry of manifest.manifests) {
          const child = descriptorDigest(path, entry)
          if (!seen.has(child)) children.push({ doc: manifestDocument(name, child), digest: child })
          seen.add(child)
        }
        continue
      }
      for (const descriptor of [manifest.config, ...(manifest.layers ?? [])]) {
        if (descriptor === undefined) continue
        const blob = descriptorDigest(path, descriptor)
        blobs.set(blob, { path: `/v2/${name}/blobs/${blob}`, expected: expectedOf(blob) })
      }
    }
    // Asks for the whole next level at once: one more round per level of nesting.
    const bodies = documentBodies(
      documents,
      children.map((c) => c.doc),
    )
    level = children.map(({ doc, digest: child }, i) => {
      checked(doc.path, bodies[i]!, child)
      return { path: doc.path, body: bodies[i]! }
    })
  }
  if (blobs.size === 0) throw new Error(`${top.path}: the manifest names no blobs`)
  return { artifacts: [...blobs.values()], digest }
}

/** A manifest is JSON, so UTF-8: its text encodes back to the bytes its digest is of. */
function digestOf(body: string, algorithm: string): string {
  return `${algorithm}:${createHash(algorithm).update(body, 'utf8').digest('hex')}`
}

/** Larder checks a manifest against the digest it was asked by; this is the same check on what the lockfile names. */
function checked(path: string, body: string, digest: string): string {
  const got = digestOf(body, digest.split(':')[0]!)
  if (got !== digest) throw new Error(`${path}: the manifest hashes to ${got}, not ${digest}`)
  return digest
}

function parseManifest(path: string, body: string): Manifest {
  try {
    const manifest = JSON.parse(body) as Manifest
    if (manifest && typeof manifest === 'object') return manifest
  } catch {
    // Said below.
  }
  throw new Error(`${path}: not a JSON manifest`)
}

function descriptorDigest(path: string, descriptor: Descriptor): string {
  const digest = descriptor?.digest
  if (typeof digest !== 'string' || !/^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(digest)) {
    throw new Error(`${path}: a descriptor has no sha256 or sha512 digest (${JSON.stringify(digest ?? null)})`)
  }
  return digest
}

function expectedOf(digest: string): Record<string, string> {
  const [algorithm, hex] = digest.split(':') as [string, string]
  return { [algorithm]: hex }
}
