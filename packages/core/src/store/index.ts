/** The store: content-addressed blobs plus a key -> entry index, on disk or in memory, with an LRU in front. */
export type { BlobInfo, ByteRange, CacheEntry, CacheStore, ListedBlob } from './types.js'
export { createFsStore, DEFAULT_TMP_MAX_AGE_MS, type FsStoreOptions } from './fs-store.js'
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js'
export { withBlobMemory, HeldBlob, DEFAULT_BLOB_MEMORY_MAX_BYTES, DEFAULT_BLOB_MEMORY_MAX_BLOB_BYTES, type BlobMemoryOptions } from './blob-memory.js'
export { withEntryCache, DEFAULT_ENTRY_CACHE_MAX_ENTRIES, type EntryCacheOptions, type ExternalChanges } from './entry-cache.js'
export { announceStoreChange, watchStoreChanges, STORE_CHANGED_FILE, type StoreChangesWatch } from './store-changes.js'
export { NAMESPACE_PATTERN, SHA256_HEX_PATTERN } from './validate.js'
export { commitPublish } from './commit-publish.js'
