/** What the store holds per ecosystem (the namespace's first word: npm, npm-private -> npm), hosted apart from mirrored. */
import type { CacheStore } from '../store/types.js'
import { isHostedKey } from './check-store.js'
import { referencedBlobs } from './collect-garbage.js'

export interface HeldCounts {
  entries: number
  /** Entries with a body: documents and files. */
  withBody: number
  /** Sum of the entries' body sizes (a blob shared by two entries counts twice). */
  bytes: number
}

export interface StoreStats {
  ecosystems: Record<string, { hosted: HeldCounts; mirrored: HeldCounts }>
  /** The blobs on disk, and those no entry references (what `larder gc` would free once past its grace). */
  blobs: { count: number; bytes: number; unreferencedCount: number; unreferencedBytes: number }
}

const empty = (): HeldCounts => ({ entries: 0, withBody: 0, bytes: 0 })

export async function storeStats(store: CacheStore): Promise<StoreStats> {
  const stats: StoreStats = { ecosystems: {}, blobs: { count: 0, bytes: 0, unreferencedCount: 0, unreferencedBytes: 0 } }
  const referenced = new Set<string>()
  for await (const key of store.listEntries('')) {
    const entry = await store.getEntry(key)
    if (!entry) continue
    const ecosystem = key.slice(0, key.indexOf(':')).split('-')[0]!
    stats.ecosystems[ecosystem] ??= { hosted: empty(), mirrored: empty() }
    const counts = stats.ecosystems[ecosystem]![isHostedKey(key) ? 'hosted' : 'mirrored']
    counts.entries++
    if (entry.status === 'ok' && entry.blob) {
      counts.withBody++
      counts.bytes += entry.size ?? 0
    }
    for (const sha256 of referencedBlobs(entry)) referenced.add(sha256)
  }
  for await (const blob of store.listBlobs()) {
    stats.blobs.count++
    stats.blobs.bytes += blob.size
    if (!referenced.has(blob.sha256)) {
      stats.blobs.unreferencedCount++
      stats.blobs.unreferencedBytes += blob.size
    }
  }
  return stats
}
