/**
 * Manifests as the cache holds them. By digest: immutable, stored once verified. By tag: an index entry pointing at
 * those bytes, fresh for the index TTL, then revalidated with a HEAD and fetched again only when the digest moved;
 * served stale when the upstream fails, rate-limits or has deleted the tag, so builds keep pulling what they pulled.
 */
import { decideIndex, toLarderError, type LarderError, type CacheEntry, type CacheResult, type Flight, type LarderServices } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import { manifestKey, tagKey } from '../keys/oci-keys.js'
import type { RegistryClient, RegistryTarget } from '../registry/registry-client.js'
import { fetchManifest, headManifestDigest, type FetchedManifest } from './manifest-fetch.js'
import { withStaleDeadline } from './stale-deadline.js'

export interface ServedManifest {
  /** Its blob is the manifest's bytes; meta.digest is sha256:<blob>. */
  entry: CacheEntry
  result: CacheResult
  staleReason?: LarderError
}

export class ManifestSource {
  private readonly flights: Flight<ServedManifest>

  constructor(
    private readonly services: LarderServices,
    private readonly client: RegistryClient,
  ) {
    this.flights = services.cache.options.createFlight<ServedManifest>('index-fetch')
  }

  private now(): number {
    return this.services.cache.options.now()
  }

  async byDigest(target: RegistryTarget, digest: string): Promise<ServedManifest> {
    const key = manifestKey(target.upstream, target.repo, digest)
    const entry = await this.services.store.getEntry(key)
    const { offline } = this.services.config
    if (entry?.status === 'ok' && entry.blob) return { entry, result: offline ? 'OFFLINE' : 'HIT' }
    if (offline) throw offlineMiss(`${target.upstream}/${target.repo}@${digest}`)
    return this.flights.run(key, async () => ({ entry: await this.save(target, await fetchManifest(this.client, target, digest)), result: 'MISS' }))
  }

  async byTag(target: RegistryTarget, tag: string): Promise<ServedManifest> {
    const key = tagKey(target.upstream, target.repo, tag)
    const label = `${target.upstream}/${target.repo}:${tag}`
    const { config, store } = this.services
    const entry = await store.getEntry(key)
    const decision = decideIndex(entry, this.now(), { ttlMs: config.indexTtlMs, negativeTtlMs: config.negativeTtlMs, offline: config.offline })
    switch (decision.action) {
      case 'serve':
        return { entry: entry!, result: decision.result }
      case 'not-found':
        throw new OciError('MANIFEST_UNKNOWN', 'E_NOT_FOUND', `manifest ${label} is not on the upstream (cached answer)`, { cacheResult: decision.result })
      case 'offline-miss':
        throw offlineMiss(label)
      case 'fetch':
        return withStaleDeadline(
          this.flights.run(key, () => this.refreshTag(target, tag, key, entry)),
          entry,
          this.services.cache.options.staleDeadlineMs,
          label,
        )
    }
  }

  private async refreshTag(target: RegistryTarget, tag: string, key: string, previous: CacheEntry | undefined): Promise<ServedManifest> {
    const stale = previous?.status === 'ok' ? previous : undefined
    try {
      if (stale) {
        const digest = await headManifestDigest(this.client, target, tag)
        if (digest && digest === stale.meta?.digest) return { entry: await this.touch(stale), result: 'REVALIDATED' }
        // Moved (or the registry did not say): the new bytes, by digest when it named one so they are verified.
        const served = digest ? await this.byDigest(target, digest) : { entry: await this.save(target, await fetchManifest(this.client, target, tag)) }
        return { entry: await this.pointTag(key, served.entry), result: 'MISS' }
      }
      const manifest = await fetchManifest(this.client, target, tag)
      return { entry: await this.pointTag(key, await this.save(target, manifest)), result: 'MISS' }
    } catch (err) {
      const error = toLarderError(err)
      // Deleted upstream, or the upstream failing: keep serving what builds already depend on.
      if (stale && (error.isUpstreamFailure || error.code === 'E_NOT_FOUND')) return { entry: stale, result: 'STALE', staleReason: error }
      if (error.code === 'E_NOT_FOUND') await this.services.store.putEntry({ key, status: 'missing', fetchedAt: this.now() })
      throw error
    }
  }

  /** Stores the bytes and the by-digest entry (once: it never changes). */
  private async save(target: RegistryTarget, manifest: FetchedManifest): Promise<CacheEntry> {
    const { store } = this.services
    const blob = await store.putBlob(manifest.bytes)
    const entry: CacheEntry = {
      key: manifestKey(target.upstream, target.repo, manifest.digest),
      status: 'ok',
      fetchedAt: this.now(),
      blob: blob.sha256,
      size: blob.size,
      contentType: manifest.mediaType,
      meta: { digest: manifest.digest, upstream: target.upstream, repo: target.repo },
    }
    await store.putEntry(entry)
    return entry
  }

  /** The tag's entry: the manifest's bytes and type, confirmed now. */
  private async pointTag(key: string, manifest: CacheEntry): Promise<CacheEntry> {
    const entry: CacheEntry = { ...manifest, key, fetchedAt: this.now(), meta: { ...manifest.meta } }
    await this.services.store.putEntry(entry)
    return entry
  }

  private async touch(entry: CacheEntry): Promise<CacheEntry> {
    const touched: CacheEntry = { ...entry, fetchedAt: this.now() }
    await this.services.store.putEntry(touched)
    return touched
  }
}

function offlineMiss(label: string): OciError {
  return new OciError('MANIFEST_UNKNOWN', 'E_OFFLINE_MISS', `manifest ${label} is not cached and Larder is offline`, {
    hint: 'unset LARDER_OFFLINE to let Larder fetch it from upstream',
    status: 404,
  })
}
