/** The cache engine an app talks to: immutable artifacts and volatile indexes over one store and upstream client. */
import type { Readable } from 'node:stream'
import type { CacheStore, ByteRange, CacheEntry } from '../store/types.js'
import { ArtifactCache } from './artifact-cache.js'
import { IndexCache } from './index-cache.js'
import { resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from './options.js'
import type { ArtifactRequest, ArtifactResponse, IndexRequest, IndexResponse, ResolvableArtifactRequest } from './types.js'

export interface LarderCache {
  readonly store: CacheStore
  readonly options: ResolvedCacheOptions
  /** An immutable artifact: from the store, or (its source resolved on a miss) fetched once and verified. */
  artifact(request: ArtifactRequest | ResolvableArtifactRequest): Promise<ArtifactResponse>
  /** A stored artifact, without contacting upstream (undefined when absent). */
  lookupArtifact(key: string): Promise<ArtifactResponse | undefined>
  /** A volatile index document, fresh or revalidated, stale when upstream fails. */
  index(request: IndexRequest): Promise<IndexResponse>
  /** Opens an entry's main body, or one of its parts. */
  openEntry(entry: CacheEntry, part?: string, range?: ByteRange): Promise<Readable | undefined>
  readonly activeFills: number
}

export function createCache(options: CacheOptions): LarderCache {
  const resolved = resolveCacheOptions(options)
  const artifacts = new ArtifactCache(resolved)
  const indexes = new IndexCache(resolved)
  return {
    store: resolved.store,
    options: resolved,
    artifact: (request) => artifacts.get(request),
    lookupArtifact: (key) => artifacts.lookup(key),
    index: (request) => indexes.get(request),
    async openEntry(entry, part, range) {
      const sha256 = part ? entry.parts?.[part]?.sha256 : entry.blob
      return sha256 ? resolved.store.openBlob(sha256, range) : undefined
    },
    get activeFills() {
      return artifacts.activeFills
    },
  }
}
