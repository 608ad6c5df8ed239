/** Makes a validated publish visible: its artifact entries, then the index entry that lists them, and no artifact left served if the index write fails. */
import type { CacheEntry, CacheStore, PutEntriesOptions } from './types.js'

/**
 * Call only once everything that can refuse the publish has run and every body is stored as a
 * blob: this writes entries only. Artifacts go first, so the index never lists a file that is not
 * there yet; if the index write fails, they are taken back (their blobs stay, unreferenced and harmless).
 */
export async function commitPublish(store: CacheStore, artifacts: readonly CacheEntry[], index: CacheEntry, options: PutEntriesOptions = {}): Promise<void> {
  // With a database: one transaction, so no reader ever sees the artifacts without their index or the reverse;
  // `unchanged` fences it (without one, one host's leases cannot be lost, so there is nothing to fence).
  if (store.putEntries) return store.putEntries([...artifacts, index], options)
  const written: string[] = []
  try {
    for (const artifact of artifacts) {
      await store.putEntry(artifact)
      written.push(artifact.key)
    }
    await store.putEntry(index)
  } catch (error) {
    for (const key of written) await store.deleteEntry(key).catch(() => {})
    throw error
  }
}
