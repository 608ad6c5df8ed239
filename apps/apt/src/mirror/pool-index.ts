/** What the Packages and Sources indexes Larder served say about pool files (sha256 and size), to verify them on download. */
import { readAll, type CacheEntry, type LarderServices } from '@larder/core'
import { field, parseStanzas } from '../deb822/deb822.js'
import { decompress } from '../decompress/decompress.js'
import type { GenerationMeta } from './generations.js'
import { generationPrefix } from './mirror-keys.js'
import { keyOfFacts } from './index-files.js'
import type { FileTables } from './file-tables.js'

export const DEFAULT_POOL_MEMO_SIZE = 8
const POOL_INDEX = /(^|\/)(Packages|Sources)(\.(gz|xz|zst))?$/
/** Cheaper to unpack first. */
const PREFERENCE = ['', '.gz', '.zst', '.xz']

export interface PoolFileFacts {
  sha256: string
  size: number
}

export type PoolTable = Map<string, PoolFileFacts>

export function parsePoolIndex(text: string, label: string): PoolTable {
  const table: PoolTable = new Map()
  for (const stanza of parseStanzas(text, label, 'E_UPSTREAM_GARBAGE')) {
    const filename = field(stanza, 'Filename')
    const sha256 = field(stanza, 'SHA256')
    const size = field(stanza, 'Size')
    if (filename && sha256 && size) table.set(filename, { sha256: sha256.toLowerCase(), size: Number(size) })
    const directory = field(stanza, 'Directory')
    const checksums = field(stanza, 'Checksums-Sha256')
    if (!directory || !checksums) continue
    for (const line of checksums.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const [digest, bytes, name] = line.split(/\s+/)
      if (digest && bytes && name) table.set(`${directory}/${name}`, { sha256: digest.toLowerCase(), size: Number(bytes) })
    }
  }
  return table
}

export class PoolIndex {
  private readonly memo = new Map<string, PoolTable>()

  constructor(private readonly services: LarderServices, private readonly tables: FileTables) {}

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

  private async parse(entry: CacheEntry): Promise<PoolTable | undefined> {
    const blob = entry.blob!
    const known = this.memo.get(blob)
    if (known) return known
    const stream = await this.services.store.openBlob(blob)
    if (!stream) return undefined
    const text = (await decompress(await readAll(stream, Number.POSITIVE_INFINITY, entry.key), entry.key)).toString('utf8')
    const table = parsePoolIndex(text, entry.key)
    if (this.memo.size >= DEFAULT_POOL_MEMO_SIZE) this.memo.delete(this.memo.keys().next().value!)
    this.memo.set(blob, table)
    return table
  }
}
