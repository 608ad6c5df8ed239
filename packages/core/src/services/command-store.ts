/**
 * The store a CLI command opens: the configured one, as the server opens it. On the filesystem the running
 * server is told of the command's writes through the store's changed file; with a database, every write
 * already notifies every replica.
 */
import { join } from 'node:path'
import type { LarderConfig } from '../config/index.js'
import { announceStoreChange, createFsStore, type CacheStore } from '../store/index.js'
import { openConfiguredStore } from './open-store.js'

export interface CommandStore {
  store: CacheStore
  /** Where it is, for messages: the folder, or the bucket. */
  where: string
  /** Tells running servers that entries changed behind their back. */
  announceChanges(): Promise<void>
  close(): Promise<void>
}

export function openCommandStore(config: LarderConfig): CommandStore {
  if (config.store === 'fs' && !config.databaseUrl) {
    const dir = join(config.dataDir, 'store')
    const store = createFsStore({ dir, minFreeBytes: config.minFreeBytes })
    return { store, where: dir, announceChanges: () => announceStoreChange(dir), close: () => store.close() }
  }
  const opened = openConfiguredStore(config, {})
  return {
    store: opened.store,
    where: config.store === 's3' ? `bucket ${config.s3?.bucket}` : join(config.dataDir, 'store'),
    announceChanges: async () => {},
    async close() {
      opened.close()
      await opened.store.close()
      await opened.database?.close()
    },
  }
}
