/** Where a package's packument comes from: the private store first (never upstream then), else the upstream cache. */
import { ConcurrencyLimit, LarderError, readAll, type CacheEntry, type CacheResult, type HotHint, type LarderServices } from '@larder/core'
import { LRUCache } from 'lru-cache'
import { encodePackageName, type PackageName } from '../names/package-name.js'
import type { PrivateRegistry } from '../private/private-registry.js'
import { PackumentWorkers } from './packument-workers.js'
import type { StoredPackument, TarballSource } from './stored-packument.js'

export interface PackumentHandle {
  entry: CacheEntry
  result: CacheResult
  private: boolean
  staleReason?: LarderError
}

export const UPSTREAM_KEY_PREFIX = 'npm:packument:'
/**
 * A version or file missing from a cached packument forces at most one refresh per package in this
 * window: a loop asking for a typo must not refetch a multi-MB document each time.
 */
export const FORCED_REFRESH_INTERVAL_MS = 30_000
/** Packages whose forced refresh is remembered; past that the oldest claim is forgotten, so memory stays bounded. */
const FORCED_REFRESH_MEMORY = 10_000
/**
 * Packuments rewritten at once. Each holds its document several times over while it is parsed and
 * serialised (tens of MB for the biggest); big ones go to this many worker threads, so the event
 * loop keeps serving while a 30 MB document is rewritten.
 */
export const PACKUMENT_PROCESSING_LIMIT = 2

/** Entry meta and parts of a stored packument, shared by upstream and private entries. */
export function storedPackumentEntry(stored: StoredPackument) {
  return {
    body: stored.full,
    contentType: 'application/json',
    parts: { abbreviated: stored.abbreviated, tarballs: Buffer.from(JSON.stringify(stored.tarballs)) },
    meta: { fullOffsets: stored.fullOffsets, abbreviatedOffsets: stored.abbreviatedOffsets },
  }
}

export class PackumentSource {
  /** Keys whose forced refresh was claimed within the interval (an entry expires with it, on the services' clock). */
  private readonly forcedRecently: LRUCache<string, true>
  private readonly processing = new ConcurrencyLimit(PACKUMENT_PROCESSING_LIMIT)
  private readonly workers = new PackumentWorkers(PACKUMENT_PROCESSING_LIMIT)

  constructor(
    private readonly services: LarderServices,
    private readonly privateRegistry: PrivateRegistry,
    /** LARDER_NPM_UPSTREAM. */
    private readonly upstream: string,
  ) {
    // ttlResolution 0: read the clock on every check rather than a value cached for a millisecond (tests move it in steps).
    this.forcedRecently = new LRUCache({
      max: FORCED_REFRESH_MEMORY,
      ttl: FORCED_REFRESH_INTERVAL_MS,
      ttlResolution: 0,
      perf: { now: () => services.cache.options.now() },
    })
  }

  async get(name: PackageName, options: { forceRefresh?: boolean } = {}): Promise<PackumentHandle> {
    const own = await this.privateRegistry.entry(name)
    if (own) return { entry: own, result: 'PRIVATE', private: true }
    if (await this.privateRegistry.owns(name)) {
      throw new LarderError(
        'E_NOT_FOUND',
        `${name.full} is a private name (listed in LARDER_NPM_PRIVATE_SCOPES or _NAMES, or unpublished from Larder) and has nothing published`,
        {
          hint: 'private names are never taken from upstream; publish it to Larder',
        },
      )
    }
    return this.fromUpstream(name, options)
  }

  /** The upstream's packument as cached, for a caller that has already found the name is not private. */
  async fromUpstream(name: PackageName, options: { forceRefresh?: boolean } = {}): Promise<PackumentHandle> {
    const { upstream } = this
    const url = `${upstream}/${encodePackageName(name)}`
    const response = await this.services.cache.index({
      key: UPSTREAM_KEY_PREFIX + name.full,
      url,
      // Full documents only: one fetch feeds both forms, and pnpm/yarn need fields the short form lacks.
      headers: { accept: 'application/json' },
      forceRefresh: options.forceRefresh,
      label: `packument of ${name.full}`,
      process: (body) =>
        this.processing.run(async () => {
          const processed = await this.workers.process(body.path, body.size, name.full, () => body.readBytes(), url)
          return {
            body: processed.body,
            contentType: 'application/json',
            parts: { abbreviated: processed.abbreviated, tarballs: processed.tarballs },
            meta: { fullOffsets: processed.fullOffsets, abbreviatedOffsets: processed.abbreviatedOffsets },
          }
        }),
    })
    return { entry: response.entry, result: response.result, private: false, staleReason: response.staleReason }
  }

  /**
   * When an answer made from this handle may be remembered whole (see HotResponses): it rests on the
   * packument's entry and on the name having no hosted document, and holds until the TTL runs out.
   */
  hotHint(name: PackageName, handle: PackumentHandle, extra: ReadonlyArray<readonly [string, CacheEntry | undefined]> = []): HotHint | undefined {
    if (handle.staleReason || !['HIT', 'MISS', 'REVALIDATED', 'PRIVATE'].includes(handle.result)) return undefined
    const deps = handle.private
      ? [[handle.entry.key, handle.entry] as const, ...extra]
      : [[this.privateRegistry.documentKey(name), undefined] as const, [handle.entry.key, handle.entry] as const, ...extra]
    const validUntil = handle.private ? Number.POSITIVE_INFINITY : handle.entry.fetchedAt + this.services.config.indexTtlMs
    return { deps, validUntil, cache: handle.private ? 'PRIVATE' : 'HIT' }
  }

  /** Whether to ask upstream again for something the cached copy lacks; claims the package's refresh if so. */
  mayRefresh(handle: PackumentHandle): boolean {
    if (handle.private || handle.result === 'OFFLINE' || handle.result === 'MISS' || handle.result === 'REVALIDATED') return false
    if (this.forcedRecently.has(handle.entry.key)) return false
    this.forcedRecently.set(handle.entry.key, true)
    return true
  }

  /** Where a tarball lives and what it hashes to, per the stored packument. */
  async tarballSource(handle: PackumentHandle, filename: string): Promise<TarballSource | undefined> {
    const body = await this.services.cache.openEntry(handle.entry, 'tarballs')
    if (!body) return undefined
    const tarballs = JSON.parse((await readAll(body)).toString('utf8')) as Record<string, TarballSource>
    return Object.hasOwn(tarballs, filename) ? tarballs[filename] : undefined
  }

  /** The whole stored document, parsed (for /name/version: rare, so parsing on demand is fine). */
  async readFull(handle: PackumentHandle): Promise<Record<string, any>> {
    const body = await this.services.cache.openEntry(handle.entry)
    if (!body) throw new LarderError('E_STORE', `stored packument ${handle.entry.key} is missing its body`)
    return JSON.parse((await readAll(body)).toString('utf8'))
  }
}
