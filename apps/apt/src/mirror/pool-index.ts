/** What the Packages and Sources indexes Larder served say about pool files (sha256 and size), to verify them on download. */
import type { CacheEntry, LarderServices } from '@larder/core'
import { decompressStream } from '../decompress/decompress.js'
import type { FileTables } from './file-tables.js'
import type { GenerationMeta } from './generations.js'
import { keyOfFacts } from './index-files.js'
import { generationPrefix } from './mirror-keys.js'
import { readPoolIndex, type PoolFileFacts, type PoolTable } from './pool-index-parser.js'

export { parsePoolIndex, type PoolFileFacts, type PoolTable } from './pool-index-parser.js'

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

  /** The facts of a pool file from any current generation of the archive, or undefined when no stored index lists it. */
  async lookup(archive: string, path: string): Promise<PoolFileFacts | undefined> {
    const { store } = this.services
    for await (const key of store.listEntries(generationPrefix(archive))) {
      const generation = await store.getEntry(key)
      if (!generation?.meta) continue
      for (const indexEntry of await this.storedIndexes(generation)) {
        const facts = (await this.parse(indexEntry))?.get(path)
        if (facts) return facts
      }
    }
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
