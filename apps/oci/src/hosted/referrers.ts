/**
 * The OCI 1.1 referrers of hosted manifests: each manifest pushed with a `subject` gets an entry under that subject,
 * written with the manifest, so a referrers request is one listing of the subject's prefix, not a scan of the repository.
 */
import type { CacheEntry, CacheStore } from '@larder/core'
import { referrerKey, referrerPrefix } from '../keys/hosted-keys.js'
import type { PushedManifest } from '../manifests/pushed-manifest.js'
import { OCI_INDEX } from '../manifests/media-types.js'

/** One entry of a referrers list, as the spec wants it: the manifest's artifactType and all its annotations. */
export interface ReferrerDescriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

/** The entry that lists `manifest` (stored as `digest`, `size` bytes) among its subject's referrers; undefined without a subject. */
export function referrerEntry(repo: string, digest: string, size: number, manifest: PushedManifest, now: number): CacheEntry | undefined {
  if (!manifest.subject) return undefined
  const descriptor: ReferrerDescriptor = {
    mediaType: manifest.mediaType,
    digest,
    size,
    ...(manifest.artifactType ? { artifactType: manifest.artifactType } : {}),
    ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
  }
  return { key: referrerKey(repo, manifest.subject.digest, digest), status: 'ok', fetchedAt: now, meta: { descriptor } }
}

/** The referrers of `subject`, optionally only those of one artifactType, in digest order (so pages are stable). */
export async function listReferrers(store: CacheStore, repo: string, subject: string, artifactType?: string): Promise<ReferrerDescriptor[]> {
  const found: ReferrerDescriptor[] = []
  for await (const key of store.listEntries(referrerPrefix(repo, subject))) {
    const descriptor = (await store.getEntry(key))?.meta?.descriptor as ReferrerDescriptor | undefined
    if (descriptor && (artifactType === undefined || descriptor.artifactType === artifactType)) found.push({ ...descriptor })
  }
  return found.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
}

/** The referrers response body: an image index, empty when nothing refers to the subject. */
export function referrersIndex(manifests: readonly ReferrerDescriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })
}
