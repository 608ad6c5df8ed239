/** The cache engine: artifacts and indexes, as apps use them. */
export * from './types.js'
export * from './options.js'
export * from './larder-cache.js'
export * from './artifact-format.js'
