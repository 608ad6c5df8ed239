/** The store the configuration names: the filesystem or a bucket, its index in PostgreSQL when there is one, with memory in front. */
import { join } from 'node:path'
import type { LarderConfig } from '../config/index.js'
import { createClusterLeases, openDatabase, withDatabaseIndex, type ClusterLeases, type Database } from '../database/index.js'
import { createS3Store } from '../store/s3/index.js'
import { createFsStore, watchStoreChanges, withBlobMemory, withEntryCache, type CacheStore, type ExternalChanges } from '../store/index.js'
import type { HostLeases } from '../workers/host-leases.js'

export interface OpenedStore {
  store: CacheStore
  /** Held across every replica on the database, else across this host's workers (or none). */
  leases: HostLeases | ClusterLeases | undefined
  database: Database | undefined
  close(): void
}

export interface OpenStoreSeams {
  /** Another backend instead of the configured one, used as given (tests). */
  store?: CacheStore
  /** From the primary, under LARDER_WORKERS: leases and entry changes among this host's workers. */
  leases?: HostLeases
  entryChanges?: ExternalChanges
}

export function openConfiguredStore(config: LarderConfig, seams: OpenStoreSeams): OpenedStore {
  if (seams.store) return { store: seams.store, leases: seams.leases, database: undefined, close: () => {} }
  const storeDir = join(config.dataDir, 'store')
  const base =
    config.store === 's3' && config.s3
      ? createS3Store({ ...config.s3, spoolRoot: join(config.dataDir, 'tmp'), minFreeBytes: config.minFreeBytes })
      : createFsStore({ dir: storeDir, minFreeBytes: config.minFreeBytes })
  // Other processes on the same folder (larder import, prefetch) announce their writes; the entry cache then forgets.
  const fileChanges = config.store === 'fs' ? watchStoreChanges(storeDir) : undefined
  const database = config.databaseUrl ? openDatabase({ url: config.databaseUrl }) : undefined
  let indexed = base
  let changes = bothChanges(fileChanges, seams.entryChanges)
  let leases: HostLeases | ClusterLeases | undefined = seams.leases
  if (database) {
    const index = withDatabaseIndex(base, database)
    indexed = index.store
    // The database tells every process, workers of this host included, and its locks span every replica.
    changes = bothChanges(fileChanges, index.changes)
    // A fill may take up to the upstream deadline; a holder past that (and a minute) is stuck.
    leases = createClusterLeases(database, { maxWaitMs: config.upstreamDeadlineMs + 60_000 })
  }
  const store = withBlobMemory(withEntryCache(indexed, changes ? { externalChanges: changes } : {}), {
    maxBytes: config.memoryCacheBytes,
    maxBlobBytes: config.memoryCacheMaxItemBytes,
  })
  return { store, leases, database, close: () => fileChanges?.close() }
}

/** News from two sources as one; writes are announced through the second. */
function bothChanges(first: ExternalChanges | undefined, second: ExternalChanges | undefined): ExternalChanges | undefined {
  if (!first || !second) return first ?? second
  return {
    onChange(listener) {
      first.onChange(listener)
      second.onChange(listener)
    },
    ...(second.announce ? { announce: second.announce.bind(second) } : {}),
  }
}
