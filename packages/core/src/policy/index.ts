/** Policy: immutable artifacts vs volatile indexes, TTLs, negative caching, offline. */
export * from './index-policy.js'
