/** Coalescing: one upstream fetch per key, streamed to every waiting client while it is stored. */
export * from './single-flight.js'
export * from './spool-fill.js'
export * from './keyed-mutex.js'
export * from './concurrency-limit.js'
