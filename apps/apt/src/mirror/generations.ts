/**
 * The generation each mirrored suite serves: one upstream Release plus the index files it lists.
 * A newer upstream Release is served only once every index clients asked for under the current one
 * is stored and verified, so clients never get a Release whose Packages Larder cannot give them
 * (upstream down, offline, or moving on mid-update) and never a Packages from another moment.
 */
import { errorFields, KeyedMutex, LarderError, toLarderError, type CacheEntry, type CacheResult, type LarderServices } from '@larder/core'
import type { IndexFileFacts } from '../deb822/release-file.js'
import { FileTables, type FileTable } from './file-tables.js'
import { keyOfFacts, type IndexFiles, type IndexLocation } from './index-files.js'
import { generationKey } from './mirror-keys.js'
import { ReleaseSource, type ReleaseMeta } from './release-source.js'
import type { ReleaseVerifier } from './release-verifier.js'

/** Clients ask for few indexes per suite (a Packages per architecture, translations); this bounds a runaway list. */
export const MAX_WANTED_INDEXES = 256

export interface GenerationMeta extends ReleaseMeta {
  /** Index paths clients have fetched: a newer Release must have them all stored before it is served. */
  wanted: string[]
  /** The generation served before this one (its file table blob and wanted paths): its indexes go when this one is replaced. */
  previous?: { table: string; wanted: string[] }
}

export interface Generation {
  entry: CacheEntry
  meta: GenerationMeta
  files: FileTable
}

export interface ServedGeneration {
  generation: Generation
  result: CacheResult
  /** Why an older generation is served (upstream failure, a newer one not complete yet). */
  staleReason?: LarderError
}

export class Generations {
  private readonly releases: ReleaseSource
  private readonly tables: FileTables
  private readonly lock: KeyedMutex

  constructor(
    private readonly services: LarderServices,
    readonly indexFiles: IndexFiles,
    verifier: ReleaseVerifier,
  ) {
    this.lock = new KeyedMutex({ scope: 'apt-generations', leases: services.leases })
    this.releases = new ReleaseSource(services, verifier)
    this.tables = new FileTables(services)
  }

  /** For InRelease/Release requests: asks upstream (per TTL) and moves to a newer generation when it is complete. */
  async refresh(archive: string, base: string, suite: string): Promise<ServedGeneration> {
    const release = await this.releases.get(archive, base, suite)
    const current = await this.services.store.getEntry(generationKey(archive, suite))
    if (current && current.upstreamHash === release.entry.upstreamHash) {
      return { generation: await this.load(current), result: release.result, ...stale(release.staleReason) }
    }
    try {
      const promoted = await this.promote(archive, base, suite, release.entry)
      return { generation: promoted, result: release.result, ...stale(release.staleReason) }
    } catch (err) {
      const error = toLarderError(err)
      const fallback = await this.services.store.getEntry(generationKey(archive, suite))
      if (!fallback) throw error
      this.services.logger.warn({ archive, suite, ...errorFields(error) }, 'newer Release not complete; serving the previous generation')
      return { generation: await this.load(fallback), result: 'STALE', staleReason: error }
    }
  }

  /** For index requests: the generation clients got their Release from (fetched only if there is none yet). */
  async current(archive: string, base: string, suite: string): Promise<Generation> {
    const entry = await this.services.store.getEntry(generationKey(archive, suite))
    if (entry) return this.load(entry)
    return (await this.refresh(archive, base, suite)).generation
  }

  /** Records that clients fetch this index, so the next generation brings it along. */
  async want(archive: string, suite: string, path: string): Promise<void> {
    const key = generationKey(archive, suite)
    await this.lock.run(key, async () => {
      const entry = await this.services.store.getEntry(key)
      const meta = entry?.meta as GenerationMeta | undefined
      if (!entry || !meta || meta.wanted.includes(path) || meta.wanted.length >= MAX_WANTED_INDEXES) return
      await this.services.store.putEntry({ ...entry, meta: { ...meta, wanted: [...meta.wanted, path] } })
    })
  }

  location(archive: string, base: string, suite: string, path: string, generation: Generation): IndexLocation {
    return { archive, base, suite, path, acquireByHash: generation.meta.acquireByHash }
  }

  private promote(archive: string, base: string, suite: string, release: CacheEntry): Promise<Generation> {
    const key = generationKey(archive, suite)
    return this.lock.run(key, async () => {
      const current = await this.services.store.getEntry(key)
      if (current && current.upstreamHash === release.upstreamHash) return this.load(current)
      const files = await this.tables.of(release)
      const before = (current?.meta as GenerationMeta | undefined)?.wanted ?? []
      const wanted = before.filter((path) => files[path])
      const releaseMeta = release.meta as unknown as ReleaseMeta
      for (const path of wanted) {
        await this.indexFiles.ensure({ archive, base, suite, path, acquireByHash: releaseMeta.acquireByHash }, files[path] as IndexFileFacts)
      }
      const currentMeta = current?.meta as GenerationMeta | undefined
      const previous = current?.blob && currentMeta ? { table: current.blob, wanted: currentMeta.wanted } : undefined
      const meta: GenerationMeta = { ...releaseMeta, wanted, ...(previous ? { previous } : {}) }
      const entry: CacheEntry = { ...release, key, parts: { ...release.parts }, meta: { ...meta }, fetchedAt: Date.now() }
      await this.services.store.putEntry(entry)
      // Clients that fetched the previous Release may still ask for its indexes; the one before that has none left.
      if (currentMeta?.previous) await this.dropIndexesOf(currentMeta.previous, [previous, { table: entry.blob!, wanted }])
      if (current) this.services.logger.info({ archive, suite, wanted: wanted.length, signedBy: meta.signedBy ?? 'unchecked' }, 'serving a new generation')
      return { entry, meta, files }
    })
  }

  /** Removes the index entries of a superseded generation that the kept ones do not list too; gc then frees their bytes. */
  private async dropIndexesOf(old: { table: string; wanted: string[] }, kept: ReadonlyArray<{ table: string; wanted: string[] } | undefined>): Promise<void> {
    const keys = async (generation: { table: string; wanted: string[] }) => {
      const table = await this.tables.of({ key: 'apt-generation:superseded', status: 'ok', fetchedAt: 0, blob: generation.table }).catch(() => undefined)
      return table ? generation.wanted.flatMap((path) => (table[path] ? [keyOfFacts(table[path] as IndexFileFacts)] : [])) : []
    }
    const keep = new Set((await Promise.all(kept.filter((g) => g !== undefined).map(keys))).flat())
    for (const key of await keys(old)) if (!keep.has(key)) await this.services.store.deleteEntry(key)
  }

  private async load(entry: CacheEntry): Promise<Generation> {
    const meta = entry.meta as GenerationMeta | undefined
    if (!meta) throw new LarderError('E_STORE', `${entry.key} has no generation facts`)
    return { entry, meta, files: await this.tables.of(entry) }
  }
}

function stale(reason: LarderError | undefined): { staleReason?: LarderError } {
  return reason ? { staleReason: reason } : {}
}
