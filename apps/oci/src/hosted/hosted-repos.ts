/**
 * Hosted repositories in the store. Each has a document (its tags, through HostedPackages, whose per-repository lock
 * serialises pushes and deletes) and entries beside it: the blobs it holds and its manifests by digest, whose bytes
 * are the store's content-addressed blobs. A repository holds a blob only once it was uploaded or mounted there, so a
 * manifest cannot name a layer it was never given.
 */
import { HostedPackages, type CacheEntry, type CacheStore, type EventInput, type EventRecorder, type HostLeases } from '@larder/core'
import { HOSTED_REPO_PREFIX, hostedBlobKey, hostedManifestKey } from '../keys/hosted-keys.js'
import { digestHex } from '../names/oci-grammar.js'

export const BLOB_TYPE = 'application/octet-stream'

interface RepoDocument {
  /** tag -> sha256:<hex> of the manifest it names. */
  tags: Record<string, string>
}

export class HostedRepos {
  private readonly packages: HostedPackages

  constructor(
    readonly store: CacheStore,
    readonly now: () => number = Date.now,
    events?: EventRecorder,
    leases?: HostLeases,
  ) {
    this.packages = new HostedPackages({ store, documentPrefix: HOSTED_REPO_PREFIX, now, ecosystem: 'oci', ...(events ? { events } : {}), leases })
  }

  /** Records the event of a push or delete that has been saved; call inside change(). */
  announce(event: Omit<EventInput, 'ecosystem'>): Promise<void> {
    return this.packages.announce(event)
  }

  /** The repository's tags (a copy), or undefined when nothing was ever pushed to it. */
  async tags(repo: string): Promise<Record<string, string> | undefined> {
    const found = await this.packages.document<RepoDocument>(repo)
    return found ? { ...found.doc.tags } : undefined
  }

  blob(repo: string, digest: string): Promise<CacheEntry | undefined> {
    return this.packages.entry(hostedBlobKey(repo, digest))
  }

  manifest(repo: string, digest: string): Promise<CacheEntry | undefined> {
    return this.packages.entry(hostedManifestKey(repo, digest))
  }

  async manifestByTag(repo: string, tag: string): Promise<CacheEntry | undefined> {
    const digest = (await this.tags(repo))?.[tag]
    return digest ? this.manifest(repo, digest) : undefined
  }

  /** Runs a change of one repository alone: a tag check and the write that follows it cannot interleave with another push. */
  change<T>(repo: string, run: () => Promise<T>): Promise<T> {
    return this.packages.change(repo, run)
  }

  /** Records that the repository holds a blob already in the store; call inside change(). */
  async linkBlob(repo: string, digest: string, size: number): Promise<CacheEntry> {
    const entry: CacheEntry = {
      key: hostedBlobKey(repo, digest),
      status: 'ok',
      fetchedAt: this.now(),
      blob: digestHex(digest),
      size,
      contentType: BLOB_TYPE,
      meta: { digest },
    }
    await this.store.putEntry(entry)
    return entry
  }

  /**
   * Takes a verified upload (a spool file whose bytes hash to `digest`) into the store and the repository. The store
   * takes the file whatever happens; the bytes are stored once however many repositories hold them.
   */
  /** `stored`: the bytes are in the store already (a one-chunk upload kept in the shared store). */
  async addBlob(repo: string, digest: string, file: { path: string; size: number; stored?: boolean }): Promise<void> {
    if (!file.stored) await this.store.ingestBlob(file.path, { sha256: digestHex(digest), size: file.size })
    await this.change(repo, () => this.linkBlob(repo, digest, file.size))
  }

  /** The repository stops holding the blob; the bytes stay in the store for any other holder. */
  async unlinkBlob(repo: string, digest: string): Promise<boolean> {
    if (!(await this.blob(repo, digest))) return false
    await this.store.deleteEntry(hostedBlobKey(repo, digest))
    return true
  }

  /** Writes the tags after `files` (new manifest entries), so a tag never names a manifest not yet there; call inside change(). */
  async saveTags(repo: string, tags: Record<string, string>, files: readonly CacheEntry[] = []): Promise<void> {
    const sorted = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    const body = Buffer.from(JSON.stringify({ tags: sorted } satisfies RepoDocument))
    await this.packages.commit(repo, files, { fetchedAt: this.now(), contentType: 'application/json' }, body)
  }
}
