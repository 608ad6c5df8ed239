/** Store keys of the mirrored archives (namespace 'apt'); any string after the namespace is safe, the store hashes keys. */

/** The Release files upstream served last (a volatile index, refreshed by TTL). */
export const upstreamReleaseKey = (archive: string, suite: string) => `apt:release:${archive}:${suite}`
/**
 * The generation Larder serves: a Release whose wanted indexes are all stored. A namespace of its own:
 * listing entries reads the whole namespace, and this one stays small (one entry per archive and suite).
 */
export const generationKey = (archive: string, suite: string) => `apt-generation:${archive}:${suite}`
export const generationPrefix = (archive: string) => `apt-generation:${archive}:`
/** Index files by content: shared by every archive and generation, so old by-hash objects stay. */
export const indexKey = (sha256: string) => `apt:index:sha256:${sha256}`
/** A by-hash object no known Release lists by sha256 (an older generation, another digest). */
export const byHashKey = (algorithm: string, hash: string) => `apt:index:${algorithm}:${hash}`
export const poolKey = (archive: string, path: string) => `apt:pool:${archive}:${path}`
