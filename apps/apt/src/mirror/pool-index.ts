/** What the Packages and Sources indexes Larder served say about pool files (sha256 and size), to verify them on download. */
import { errorFields, type CacheEntry, type LarderServices } from '@larder/core'
import { decompressStream } from '../decompress/decompress.js'
import type { FileTables } from './file-tables.js'
import type { GenerationMeta } from './generations.js'
import { keyOfFacts } from './index-files.js'
import { generationPrefix } from './mirror-keys.js'
import { readPoolIndex, type PoolFileFacts, type PoolTable } from './pool-index-parser.js'

export { parsePoolIndex, type PoolFileFacts, type PoolTable } from './pool-index-parser.js'

/** A pool file as the suites list it: its sha256, and its size when they agree on it. */
export interface ListedPoolFile {
  sha256: string
  size?: number
}

export const DEFAULT_POOL_MEMO_SIZE = 8
const POOL_INDEX = /(^|\/)(Packages|Sources)(\.(gz|xz|zst))?$/
/** Cheaper to unpack first. */
const PREFERENCE = ['', '.gz', '.zst', '.xz']

export class PoolIndex {
  /** Tables being read or read, by blob: concurrent lookups share one pass over the index. */
  private readonly memo = new Map<string, Promise<PoolTable | undefined>>()

  constructor(
    private readonly services: LarderServices,
    private readonly tables: FileTables,
  ) {}

  /**
   * What the current generations of the archive say about a pool file, or undefined when no stored index
   * lists it. The pool is shared by every suite, so one odd suite must not decide for the rest: an index
   * that cannot be read is skipped, suites that disagree on the bytes are settled by the newest
   * generation, and a size the agreeing suites differ on is left out (the sha256 still decides).
   */
  async lookup(archive: string, path: string): Promise<ListedPoolFile | undefined> {
    const { store } = this.services
    const listings: { facts: PoolFileFacts; fetchedAt: number }[] = []
    for await (const key of store.listEntries(generationPrefix(archive))) {
      const generation = await store.getEntry(key)
      if (!generation?.meta) continue
      for (const indexEntry of await this.storedIndexes(generation)) {
        const facts = (await this.parse(indexEntry).catch((error: unknown) => this.unreadable(indexEntry, error)))?.get(path)
        if (facts) {
          listings.push({ facts, fetchedAt: generation.fetchedAt })
          break
        }
      }
    }
    if (listings.length === 0) return undefined
    const newest = listings.reduce((a, b) => (b.fetchedAt > a.fetchedAt ? b : a))
    const agreeing = listings.filter((listing) => listing.facts.sha256 === newest.facts.sha256)
    const sizes = new Set(agreeing.map((listing) => listing.facts.size))
    return { sha256: newest.facts.sha256, ...(sizes.size === 1 ? { size: newest.facts.size } : {}) }
  }

  private unreadable(entry: CacheEntry, error: unknown): undefined {
    this.services.logger.warn({ app: 'apt', key: entry.key, ...errorFields(error) }, `a stored index cannot be read; pool files are checked against the others`)
    return undefined
  }

  /** One stored entry per wanted Packages/Sources index of a generation, in its cheapest stored compression. */
  private async storedIndexes(generation: CacheEntry): Promise<CacheEntry[]> {
    const files = await this.tables.of(generation)
    const wanted = (generation.meta as unknown as GenerationMeta).wanted.filter((p) => POOL_INDEX.test(p))
    const bases = new Set(wanted.map((p) => p.replace(/\.(gz|xz|zst)$/, '')))
    const found: CacheEntry[] = []
    for (const base of bases) {
      for (const suffix of PREFERENCE) {
        const facts = files[base + suffix]
        const stored = facts ? await this.services.cache.lookupArtifact(keyOfFacts(facts)) : undefined
        if (!stored?.entry) continue
        stored.body.destroy()
        found.push(stored.entry)
        break
      }
    }
    return found
  }

  private parse(entry: CacheEntry): Promise<PoolTable | undefined> {
    const blob = entry.blob!
    const known = this.memo.get(blob)
    if (known) return known
    const reading = this.read(entry)
    if (this.memo.size >= DEFAULT_POOL_MEMO_SIZE) this.memo.delete(this.memo.keys().next().value!)
    this.memo.set(blob, reading)
    // Only a table is worth keeping: a failed or missing read is tried again next time.
    const forget = () => this.memo.get(blob) === reading && this.memo.delete(blob)
    reading.then((table) => table ?? forget(), forget)
    return reading
  }

  /** Streams the stored index through the decoder into the parser: a 50 MB Packages is never held whole. */
  private async read(entry: CacheEntry): Promise<PoolTable | undefined> {
    const stream = await this.services.store.openBlob(entry.blob!)
    if (!stream) return undefined
    const meta = entry.meta as { archive?: string; suite?: string; path?: string } | undefined
    const label = meta?.path ? `${meta.archive} ${meta.suite}/${meta.path}` : entry.key
    return readPoolIndex(decompressStream(stream, label, { faultOf: 'upstream' }), label)
  }
}
