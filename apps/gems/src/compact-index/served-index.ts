/**
 * The compact index Larder serves: one generation in which every gem's last /versions md5 is the md5
 * of the /info body Larder holds for it, with private gems merged in and shadowing upstream names.
 */
import { createHash } from 'node:crypto'
import { LarderError, type CacheResult, type LarderServices } from '@larder/core'
import { PrivateGems } from '../private/private-gems.js'
import { md5Hex } from './info-file.js'
import type { UpstreamIndex } from './upstream-index.js'
import { composeNames, composeVersions } from './versions-file.js'

/** How many /info documents are brought up to date at once when a new /versions arrives. */
export const INFO_CATCH_UP_CONCURRENCY = 4

export interface ServedDocument {
  body: Buffer
  md5: string
  sha256Base64: string
  result: CacheResult
  staleReason?: LarderError
}

function document(text: string, result: CacheResult, staleReason?: LarderError): ServedDocument {
  const body = Buffer.from(text)
  return { body, md5: md5Hex(body), sha256Base64: createHash('sha256').update(body).digest('base64'), result, staleReason }
}

/** Errors after which Larder can still answer from private gems alone. */
const canServeWithoutUpstream = (error: unknown) => error instanceof LarderError && (error.code === 'E_OFFLINE_MISS' || error.isUpstreamFailure)

export class ServedIndex {
  private memo: { fingerprint: string; doc: ServedDocument } | undefined

  constructor(
    private readonly services: LarderServices,
    private readonly upstream: UpstreamIndex,
    private readonly privateGems: PrivateGems,
  ) {}

  async versions(): Promise<ServedDocument> {
    const own = await this.privateGems.all()
    const privateNames = new Set(own.map((entry) => String(entry.meta?.name)))
    const privateLines = own.flatMap((entry) => PrivateGems.versionsLine(entry) ?? [])
    let fetched
    try {
      fetched = await this.upstream.versions()
    } catch (error) {
      if (own.length === 0 || !canServeWithoutUpstream(error)) throw error
      return document(composeVersions({ upstream: undefined, md5Overrides: new Map(), privateNames, privateLines }), 'PRIVATE')
    }
    const upstream = await this.upstream.upstreamMd5s(fetched.entry)
    // Upstream just answered: bring the /info bodies Larder holds up to its /versions, so clients see
    // new releases (with md5 overrides alone, a client holding the old /info would never ask again).
    const upstreamAnswered = fetched.result === 'MISS' || fetched.result === 'REVALIDATED'
    if (upstreamAnswered && upstream) await this.catchUp(upstream.md5s)
    const overrides = new Map<string, string>()
    for (const [name, held] of await this.upstream.heldInfos()) {
      const listed = upstream?.md5s.get(name)
      if (listed !== undefined && listed !== held.md5 && !privateNames.has(name)) overrides.set(name, held.md5)
    }
    const fingerprint = JSON.stringify([fetched.entry.blob, [...overrides], privateLines, [...privateNames]])
    if (this.memo?.fingerprint !== fingerprint) {
      const text = composeVersions({ upstream: await this.upstream.readText(fetched.entry), md5Overrides: overrides, privateNames, privateLines })
      this.memo = { fingerprint, doc: document(text, fetched.result) }
    }
    return { ...this.memo.doc, result: fetched.result, staleReason: fetched.staleReason }
  }

  async names(): Promise<ServedDocument> {
    const own = (await this.privateGems.all()).map((entry) => String(entry.meta?.name))
    try {
      const fetched = await this.upstream.names()
      return document(composeNames(await this.upstream.readText(fetched.entry), own), fetched.result, fetched.staleReason)
    } catch (error) {
      if (own.length === 0 || !canServeWithoutUpstream(error)) throw error
      return document(composeNames(undefined, own), 'PRIVATE')
    }
  }

  /** /info/<gem>: the private body for an owned name, else upstream's, refreshed when /versions says it changed. */
  async info(name: string): Promise<ServedDocument> {
    const own = await this.privateGems.entry(name)
    if (own) return document(await this.upstream.readText(own), 'PRIVATE')
    let fetched = await this.upstream.info(name)
    if (fetched.result === 'HIT' && !this.services.config.offline) {
      const upstream = await this.upstream.upstreamMd5s()
      const listed = upstream?.md5s.get(name)
      const behind = upstream !== undefined && upstream.fetchedAt > fetched.entry.fetchedAt
      if (listed !== undefined && behind && listed !== fetched.entry.meta?.md5) fetched = await this.upstream.info(name, { forceRefresh: true })
    }
    return document(await this.upstream.readText(fetched.entry), fetched.result, fetched.staleReason)
  }

  private async catchUp(listed: Map<string, string>): Promise<void> {
    const held = await this.upstream.heldInfos()
    const behind = [...held].filter(([name, info]) => listed.has(name) && listed.get(name) !== info.md5).map(([name]) => name)
    const worker = async () => {
      for (let name = behind.shift(); name !== undefined; name = behind.shift()) {
        await this.upstream.info(name, { forceRefresh: true }).catch((error: unknown) => {
          // The held body stays and /versions names its md5: consistent, only older.
          this.services.logger.warn({ app: 'gems', gem: name, err: error }, 'could not refresh /info for the new /versions')
        })
      }
    }
    await Promise.all(Array.from({ length: INFO_CATCH_UP_CONCURRENCY }, worker))
  }
}
