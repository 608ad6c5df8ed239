/**
 * Manifest pushes and deletes of hosted repositories. A push is refused before anything is stored when a digest
 * reference does not match the bytes, when the repository lacks a blob or child manifest it names, or when it would
 * move an immutable tag; then the bytes and the manifest's entries are written, and the tags last.
 */
import { createHash } from 'node:crypto'
import { eventFile, type CacheEntry } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import { hostedManifestKey, referrerKey } from '../keys/hosted-keys.js'
import type { PushedManifest } from '../manifests/pushed-manifest.js'
import type { ManifestReference } from '../names/oci-path.js'
import type { ImmutableTags } from '../settings/immutable-tags.js'
import type { HostedRepos } from './hosted-repos.js'
import { referrerEntry } from './referrers.js'

export interface ManifestPush {
  repo: string
  reference: ManifestReference
  bytes: Buffer
  manifest: PushedManifest
  /** What the event names: the repository as clients spell it, and the token name that pushed. */
  shownAs: string
  by: string
}

/** Who deleted, and the repository as clients spell it, for the event. */
export interface DeleteActor {
  shownAs: string
  by: string
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Stores the manifest and points the tag at it; returns its digest. */
export async function pushManifest(repos: HostedRepos, immutable: ImmutableTags, push: ManifestPush): Promise<string> {
  const { repo, reference, bytes, manifest } = push
  const digest = sha256Digest(bytes)
  if (reference.kind === 'digest' && reference.digest !== digest) {
    throw new OciError('DIGEST_INVALID', 'E_BAD_REQUEST', `the manifest's bytes hash to ${digest}, not to ${reference.digest} it was pushed as`)
  }
  return repos.change(repo, async () => {
    await requireReferences(repos, repo, manifest)
    const tags = (await repos.tags(repo)) ?? {}
    if (reference.kind === 'tag') {
      const current = tags[reference.tag]
      if (current !== undefined && current !== digest && immutable?.(reference.tag)) throw immutableTag(reference.tag, current)
      tags[reference.tag] = digest
    }
    const files: CacheEntry[] = []
    // Digests are immutable: the same bytes pushed again (a retry, another tag) keep their first entry.
    if (!(await repos.manifest(repo, digest))) {
      const now = repos.now()
      const blob = await repos.store.putBlob(bytes)
      const subject = manifest.subject?.digest
      files.push({
        key: hostedManifestKey(repo, digest),
        status: 'ok',
        fetchedAt: now,
        blob: blob.sha256,
        size: blob.size,
        contentType: manifest.mediaType,
        meta: { digest, ...(subject ? { subject } : {}) },
      })
      const referrer = referrerEntry(repo, digest, blob.size, manifest, now)
      if (referrer) files.push(referrer)
    }
    await repos.saveTags(repo, tags, files)
    await repos.announce({
      type: 'push',
      name: push.shownAs,
      version: reference.kind === 'tag' ? reference.tag : digest,
      files: [
        eventFile(digest, { sha256: digest.slice('sha256:'.length), size: bytes.length }),
        ...manifest.blobs.map((blob) => eventFile(blob.digest, { sha256: blob.digest.replace(/^sha256:/, ''), size: blob.size })),
      ],
      by: push.by,
    })
    return digest
  })
}

/** Deletes a manifest by digest, and every tag naming it; refused while an immutable tag names it. */
export async function deleteManifest(repos: HostedRepos, immutable: ImmutableTags, repo: string, digest: string, actor: DeleteActor): Promise<void> {
  await repos.change(repo, async () => {
    const entry = await repos.manifest(repo, digest)
    if (!entry) throw new OciError('MANIFEST_UNKNOWN', 'E_NOT_FOUND', `manifest ${digest} is not in ${repo}`)
    const tags = (await repos.tags(repo)) ?? {}
    const naming = Object.keys(tags).filter((tag) => tags[tag] === digest)
    const fixed = naming.find((tag) => immutable?.(tag))
    if (fixed) throw immutableTag(fixed, digest)
    for (const tag of naming) delete tags[tag]
    // Tags first: if a later step fails, the manifest is still whole by digest, and no tag names a missing one.
    await repos.saveTags(repo, tags)
    await repos.store.deleteEntry(entry.key)
    const subject = entry.meta?.subject
    if (typeof subject === 'string') await repos.store.deleteEntry(referrerKey(repo, subject, digest))
    await repos.announce({
      type: 'delete',
      name: actor.shownAs,
      version: digest,
      files: [eventFile(digest, { sha256: digest.slice('sha256:'.length), size: entry.size ?? 0 })],
      by: actor.by,
    })
  })
}

/** Deletes a (mutable) tag; the manifest stays, by digest. */
export async function deleteTag(repos: HostedRepos, immutable: ImmutableTags, repo: string, tag: string, actor: DeleteActor): Promise<void> {
  await repos.change(repo, async () => {
    const tags = (await repos.tags(repo)) ?? {}
    const current = tags[tag]
    if (current === undefined) throw new OciError('MANIFEST_UNKNOWN', 'E_NOT_FOUND', `tag ${tag} is not in ${repo}`)
    if (immutable?.(tag)) throw immutableTag(tag, current)
    delete tags[tag]
    await repos.saveTags(repo, tags)
    await repos.announce({ type: 'delete', name: actor.shownAs, version: tag, by: actor.by })
  })
}

async function requireReferences(repos: HostedRepos, repo: string, manifest: PushedManifest): Promise<void> {
  for (const blob of manifest.blobs) {
    const held = await repos.blob(repo, blob.digest)
    if (!held) throw missing(repo, `blob ${blob.digest}`)
    if (held.size !== blob.size) {
      throw new OciError('MANIFEST_INVALID', 'E_BAD_REQUEST', `the manifest says blob ${blob.digest} is ${blob.size} bytes; it is ${held.size}`)
    }
  }
  for (const child of manifest.manifests) {
    if (!(await repos.manifest(repo, child.digest))) throw missing(repo, `manifest ${child.digest}`)
  }
}

function missing(repo: string, what: string): OciError {
  return new OciError('MANIFEST_BLOB_UNKNOWN', 'E_BAD_REQUEST', `the manifest names ${what}, which ${repo} does not hold`, {
    hint: "push the blobs (and an index's manifests) to this repository first, then the manifest",
  })
}

function immutableTag(tag: string, digest: string): OciError {
  return new OciError('DENIED', 'E_CONFLICT', `tag ${tag} is immutable (LARDER_OCI_IMMUTABLE_TAGS) and names ${digest}`, {
    hint: 'push under a new tag; an immutable tag neither moves nor goes away',
  })
}
