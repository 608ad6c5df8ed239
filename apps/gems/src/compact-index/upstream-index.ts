/** The upstream compact index as Larder caches it: /versions, /names and /info/<gem> bodies stored exactly as fetched. */
import { LarderError, readAll, type CacheEntry, type IndexResponse, type LarderServices, type UpstreamIndexBody } from '@larder/core'
import { checkCompactIndex, type CompactIndexFile } from './index-shape.js'
import { md5Hex } from './info-file.js'
import { lastInfoMd5s } from './versions-file.js'

export const VERSIONS_KEY = 'gems:versions'
export const NAMES_KEY = 'gems:names'
export const INFO_KEY_PREFIX = 'gems:info:'
const TEXT_TYPE = 'text/plain; charset=utf-8'

/** The bytes of an upstream compact index body, refused (E_UPSTREAM_GARBAGE) unless they are `file`. */
async function readCompactIndex(body: UpstreamIndexBody, file: CompactIndexFile, label: string): Promise<Buffer> {
  const bytes = await body.readBytes()
  checkCompactIndex(file, bytes.toString('utf8'), body.headers['content-type'], label)
  return bytes
}

export class UpstreamIndex {
  private md5Memo: { blob: string; md5s: Map<string, string> } | undefined
  /** name -> md5 of the /info body held: loaded from the store once, then kept up to date by info(). */
  private readonly held = new Map<string, string>()
  private heldLoaded: Promise<void> | undefined

  constructor(
    private readonly services: LarderServices,
    /** LARDER_GEMS_UPSTREAM. */
    private readonly base: string,
  ) {}

  versions(): Promise<IndexResponse> {
    return this.services.cache.index({
      key: VERSIONS_KEY,
      url: `${this.base}/versions`,
      label: 'the RubyGems /versions file',
      process: async (body) => ({ body: await readCompactIndex(body, 'versions', 'the RubyGems /versions file'), contentType: TEXT_TYPE }),
    })
  }

  names(): Promise<IndexResponse> {
    return this.services.cache.index({
      key: NAMES_KEY,
      url: `${this.base}/names`,
      label: 'the RubyGems /names file',
      process: async (body) => ({ body: await readCompactIndex(body, 'names', 'the RubyGems /names file'), contentType: TEXT_TYPE }),
    })
  }

  /** /info/<gem> as upstream sent it; its md5 is kept so /versions can be matched to it without reading it. */
  async info(name: string, options: { forceRefresh?: boolean } = {}): Promise<IndexResponse> {
    const fetched = await this.services.cache.index({
      key: INFO_KEY_PREFIX + name,
      url: `${this.base}/info/${encodeURIComponent(name)}`,
      forceRefresh: options.forceRefresh,
      label: `/info/${name}`,
      process: async (body) => {
        const bytes = await readCompactIndex(body, 'info', `/info/${name}`)
        return { body: bytes, contentType: TEXT_TYPE, meta: { md5: md5Hex(bytes) } }
      },
    })
    const md5 = fetched.entry.meta?.md5
    if (typeof md5 === 'string') this.held.set(name, md5)
    return fetched
  }

  async readText(entry: CacheEntry): Promise<string> {
    const body = await this.services.cache.openEntry(entry)
    if (!body) throw new LarderError('E_STORE', `stored ${entry.key} lost its body`)
    return (await readAll(body, undefined, entry.key)).toString('utf8')
  }

  /** name -> md5 on its last line in the /versions Larder holds now (no upstream request); memoized per stored body. */
  async upstreamMd5s(entry?: CacheEntry): Promise<{ md5s: Map<string, string>; fetchedAt: number } | undefined> {
    const versions = entry ?? (await this.services.store.getEntry(VERSIONS_KEY))
    if (versions?.status !== 'ok' || !versions.blob) return undefined
    if (this.md5Memo?.blob !== versions.blob) this.md5Memo = { blob: versions.blob, md5s: lastInfoMd5s(await this.readText(versions)) }
    return { md5s: this.md5Memo.md5s, fetchedAt: versions.fetchedAt }
  }

  /**
   * name -> md5 of the /info body Larder holds. Listed from the store once (the first /versions after
   * a start); after that this process's own fills keep it current, so no request lists the store.
   */
  async heldMd5s(): Promise<ReadonlyMap<string, string>> {
    this.heldLoaded ??= this.loadHeld().catch((error: unknown) => {
      this.heldLoaded = undefined
      throw error
    })
    await this.heldLoaded
    return this.held
  }

  private async loadHeld(): Promise<void> {
    for await (const key of this.services.store.listEntries(INFO_KEY_PREFIX)) {
      const name = key.slice(INFO_KEY_PREFIX.length)
      if (this.held.has(name)) continue
      const entry = await this.services.store.getEntry(key)
      const md5 = entry?.meta?.md5
      // A fill by this process while listing is newer than what the store said.
      if (entry?.status === 'ok' && typeof md5 === 'string' && !this.held.has(name)) this.held.set(name, md5)
    }
  }
}
