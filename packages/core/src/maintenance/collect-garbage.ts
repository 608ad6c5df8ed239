/**
 * Store garbage collection: mark every blob an entry references (its body and parts), then sweep blobs that no
 * entry references and that were last stored longer ago than the grace period. The grace is what keeps a commit in
 * flight safe (its blob is stored before its entry), and a blob stored again counts as young (see CacheStore), so a
 * commit that reuses an old unreferenced blob while the gc runs keeps it too.
 */
import type { CacheEntry, CacheStore } from '../store/types.js'

/** Long enough for any commit to follow its blob (an upload's entry comes right after it). */
export const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000

export interface GcOptions {
  graceMs?: number
  /** Count what would go, delete nothing. */
  dryRun?: boolean
  now?: () => number
}

export interface GcResult {
  entries: number
  /** Blobs some entry references. */
  referenced: number
  /** Unreferenced blobs deleted (or that would be, on a dry run) and their bytes. */
  deleted: number
  freedBytes: number
  /** Unreferenced but younger than the grace period: left for a later run. */
  young: number
  ms: number
}

export async function collectGarbage(store: CacheStore, options: GcOptions = {}): Promise<GcResult> {
  const now = options.now ?? Date.now
  const started = now()
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS
  const referenced = new Set<string>()
  let entries = 0
  for await (const key of store.listEntries('')) {
    const entry = await store.getEntry(key)
    if (!entry) continue
    entries++
    for (const sha256 of referencedBlobs(entry)) referenced.add(sha256)
  }
  // Anything stored after the mark began is young by definition: the cutoff is taken from the start.
  const cutoff = started - graceMs
  const result: GcResult = { entries, referenced: referenced.size, deleted: 0, freedBytes: 0, young: 0, ms: 0 }
  for await (const blob of store.listBlobs()) {
    if (referenced.has(blob.sha256)) continue
    if (blob.storedAt >= cutoff) {
      result.young++
      continue
    }
    if (!options.dryRun) await store.deleteBlob(blob.sha256)
    result.deleted++
    result.freedBytes += blob.size
  }
  result.ms = now() - started
  return result
}

/** The blobs an entry needs: its body and its derived parts. */
export function referencedBlobs(entry: CacheEntry): string[] {
  return [...(entry.blob ? [entry.blob] : []), ...Object.values(entry.parts ?? {}).map((part) => part.sha256)]
}
