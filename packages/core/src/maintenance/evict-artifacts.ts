/**
 * Eviction of mirrored artifacts: the least recently served go first until what is mirrored fits LARDER_MAX_CACHE_GB,
 * and those not served for LARDER_EVICT_UNUSED_DAYS go whatever the size. Only what the artifact cache fetched from
 * an upstream can go (marked meta.artifact): never hosted packages, never a pinned lockfile's entries, never index
 * documents. An evicted artifact is fetched again on its next request, like any miss.
 * The bytes of an evicted entry go once no entry the walk saw names them, unless they were stored again since the
 * run began: another key committing the same bytes while the run walks the entries (a replica or worker does so
 * at any time, and a walk over a big bucket takes minutes) keeps them; gc removes them later if nothing holds them.
 */
import type { CacheEntry, CacheStore } from '../store/types.js'
import { ACCESS_PREFIX, lastServed } from './access-log.js'
import { isHostedKey } from './check-store.js'
import { referencedBlobs } from './collect-garbage.js'
import { pinnedKeys } from './pins.js'

export interface EvictOptions {
  maxBytes?: number
  unusedMs?: number
  dryRun?: boolean
  /** The clock of served times and of the blobs' storedAt. */
  now?: () => number
}

export interface EvictResult {
  /** Bytes of evictable artifacts before and after. */
  before: number
  after: number
  evicted: string[]
  freedBytes: number
}

interface Candidate {
  entry: CacheEntry
  servedAt: number
}

export async function evictArtifacts(store: CacheStore, options: EvictOptions): Promise<EvictResult> {
  const now = options.now ?? Date.now
  const started = now()
  const pinned = await pinnedKeys(store)
  const references = new Map<string, number>()
  const candidates: Candidate[] = []
  let total = 0
  for await (const key of store.listEntries('')) {
    if (key.startsWith(ACCESS_PREFIX)) continue
    const entry = await store.getEntry(key)
    if (!entry) continue
    for (const sha256 of referencedBlobs(entry)) references.set(sha256, (references.get(sha256) ?? 0) + 1)
    // meta.index: an index a mirror fetches like an artifact (APT's Packages by digest) but needs to serve what it keeps.
    if (entry.status !== 'ok' || !entry.blob || entry.meta?.artifact !== true || entry.meta?.index === true || isHostedKey(key)) continue
    total += entry.size ?? 0
    if (pinned.has(key)) continue
    candidates.push({ entry, servedAt: (await lastServed(store, key)) ?? entry.fetchedAt })
  }
  candidates.sort((a, b) => a.servedAt - b.servedAt)
  const result: EvictResult = { before: total, after: total, evicted: [], freedBytes: 0 }
  const unreferenced = new Set<string>()
  const cutoff = options.unusedMs === undefined ? undefined : now() - options.unusedMs
  for (const { entry, servedAt } of candidates) {
    const tooBig = options.maxBytes !== undefined && result.after > options.maxBytes
    const unused = cutoff !== undefined && servedAt < cutoff
    if (!tooBig && !unused) continue
    if (!options.dryRun) {
      await store.deleteEntry(entry.key)
      await store.deleteEntry(ACCESS_PREFIX + entry.key)
      // Bytes another entry still names stay (the same file under two keys).
      const left = (references.get(entry.blob!) ?? 1) - 1
      references.set(entry.blob!, left)
      if (left === 0) unreferenced.add(entry.blob!)
    }
    result.evicted.push(entry.key)
    result.after -= entry.size ?? 0
    result.freedBytes += entry.size ?? 0
  }
  if (unreferenced.size > 0) await deleteUnlessStoredAgain(store, unreferenced, started)
  return result
}

async function deleteUnlessStoredAgain(store: CacheStore, unreferenced: Set<string>, cutoff: number): Promise<void> {
  for await (const blob of store.listBlobs()) {
    if (unreferenced.has(blob.sha256) && blob.storedAt < cutoff) await store.deleteBlob(blob.sha256)
  }
}
