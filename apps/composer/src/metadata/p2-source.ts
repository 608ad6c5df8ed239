/** Upstream p2 files through the index cache: stored byte for byte, plus a "dists" part read from the expanded versions. */
import { LarderError, readAll, type CacheEntry, type CacheResult, type LarderServices, type ProcessedIndex, type UpstreamIndexBody } from '@larder/core'
import { buildDistIndex, type DistIndex } from './dist-index.js'
import { versionsOf } from './minified.js'
import type { UpstreamRoot } from './upstream-root.js'

export const P2_KEY_PREFIX = 'composer:p2:'
export const DISTS_PART = 'dists'
export const P2_CONTENT_TYPE = 'application/json'

export interface P2Handle {
  entry: CacheEntry
  result: CacheResult
  staleReason?: LarderError
}

export const p2Key = (name: string, dev: boolean) => `${P2_KEY_PREFIX}${name}${dev ? '~dev' : ''}`

/** When the stored body last changed, in whole seconds and always later than before: clients compare Last-Modified by the second. */
export function nextChangedAt(previous: CacheEntry | undefined, now: number): number {
  const before = typeof previous?.meta?.changedAt === 'number' ? previous.meta.changedAt : 0
  return Math.max(Math.floor(now / 1000) * 1000, before + 1000)
}

export async function processP2(name: string, body: UpstreamIndexBody, previous: CacheEntry | undefined): Promise<ProcessedIndex> {
  const bytes = await body.readBytes()
  const versions = versionsOf(JSON.parse(bytes.toString('utf8')), name)
  const dists: DistIndex = buildDistIndex(versions)
  return {
    body: bytes,
    contentType: P2_CONTENT_TYPE,
    parts: { [DISTS_PART]: Buffer.from(JSON.stringify(dists)) },
    meta: { changedAt: nextChangedAt(previous, Date.now()), versions: versions.length },
  }
}

export class P2Source {
  constructor(
    private readonly services: LarderServices,
    private readonly root: UpstreamRoot,
  ) {}

  async get(name: string, dev: boolean, options: { forceRefresh?: boolean } = {}): Promise<P2Handle> {
    const label = `${name}${dev ? '~dev' : ''}.json`
    const url = await this.root.p2Url(name, dev)
    if (!url) throw new LarderError('E_NOT_FOUND', `${name} is not in the upstream's list of packages`)
    const response = await this.services.cache.index({
      key: p2Key(name, dev),
      url,
      headers: { accept: 'application/json' },
      forceRefresh: options.forceRefresh,
      label,
      process: (body, previous) => processP2(name, body, previous),
    })
    return { entry: response.entry, result: response.result, staleReason: response.staleReason }
  }

  async distIndex(handle: P2Handle): Promise<DistIndex> {
    const stream = await this.services.cache.openEntry(handle.entry, DISTS_PART)
    if (!stream) throw new LarderError('E_STORE', `stored ${handle.entry.key} lost its dists part`)
    return JSON.parse((await readAll(stream)).toString('utf8')) as DistIndex
  }
}
