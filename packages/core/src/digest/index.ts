/** Digests: hash while streaming, verify against what an index promised. */
export * from './digests.js'
