/**
 * The compact index Larder serves: one generation in which every gem's last /versions md5 is the md5
 * of the /info body Larder holds for it, with private gems merged in and shadowing upstream names.
 */
import { createHash } from 'node:crypto'
import { errorFields, KeyedMutex, LarderError, type CacheEntry, type CacheResult, type LarderServices } from '@larder/core'
import { PrivateGems } from '../private/private-gems.js'
import { md5Hex } from './info-file.js'
import type { UpstreamIndex } from './upstream-index.js'
import { composeNames } from './versions-file.js'
import { VersionsLog } from './versions-log.js'

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
  private log: { versions: VersionsLog; upstreamBlob: string | undefined; privateKey: string } | undefined
  private memo: { versions: VersionsLog; generation: number; doc: ServedDocument } | undefined
  private readonly composing: KeyedMutex
  private catchingUp: Promise<void> | undefined
  private pendingCatchUp: { listed: ReadonlyMap<string, string>; privateNames: ReadonlySet<string> } | undefined

  constructor(
    private readonly services: LarderServices,
    private readonly upstream: UpstreamIndex,
    private readonly privateGems: PrivateGems,
  ) {
    this.composing = new KeyedMutex({ scope: 'gems-compose', leases: services.leases })
  }

  async versions(): Promise<ServedDocument> {
    const own = await this.privateGems.all()
    const privateNames = new Set(own.map((entry) => String(entry.meta?.name)))
    const privateLines = own.flatMap((entry) => PrivateGems.versionsLine(entry) ?? [])
    let fetched
    try {
      fetched = await this.upstream.versions()
    } catch (error) {
      if (own.length === 0 || !canServeWithoutUpstream(error)) throw error
      return { ...(await this.compose(undefined, privateNames, privateLines)), result: 'PRIVATE' }
    }
    // Upstream just answered: bring the held /info bodies up to its /versions in the background
    // (with md5 corrections alone, a client holding the old /info would never ask again). Until
    // then the served /versions names the md5s of the /info bodies Larder holds: older, consistent.
    const upstreamAnswered = fetched.result === 'MISS' || fetched.result === 'REVALIDATED'
    const listed = upstreamAnswered ? await this.upstream.upstreamMd5s(fetched.entry) : undefined
    if (listed) this.startCatchUp(listed.md5s, privateNames)
    const doc = await this.compose(fetched.entry, privateNames, privateLines)
    return { ...doc, result: fetched.result, staleReason: fetched.staleReason }
  }

  /** Settles when no background /info catch-up is running (tests and shutdown wait on it). */
  async catchUpIdle(): Promise<void> {
    while (this.catchingUp) await this.catchingUp
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
    if (await this.privateGems.owns(name)) {
      throw new LarderError('E_NOT_FOUND', `${name} is a private gem (LARDER_GEMS_PRIVATE_NAMES) and has nothing pushed`, {
        hint: 'private gems are never taken from upstream; push it to Larder',
      })
    }
    let fetched = await this.upstream.info(name)
    if (fetched.result === 'HIT' && !this.services.config.offline) {
      const upstream = await this.upstream.upstreamMd5s()
      const listed = upstream?.md5s.get(name)
      const behind = upstream !== undefined && upstream.fetchedAt > fetched.entry.fetchedAt
      if (listed !== undefined && behind && listed !== fetched.entry.meta?.md5) fetched = await this.upstream.info(name, { forceRefresh: true })
    }
    return document(await this.upstream.readText(fetched.entry), fetched.result, fetched.staleReason)
  }

  /** Extends the served log with what upstream appended, or starts a new one when that is impossible. */
  private compose(entry: CacheEntry | undefined, privateNames: ReadonlySet<string>, privateLines: readonly string[]): Promise<ServedDocument> {
    return this.composing.run('versions', async () => {
      const privateKey = JSON.stringify([privateLines, [...privateNames].sort()])
      const upstreamBlob = entry?.blob
      let log = this.log
      if (!log || log.privateKey !== privateKey || log.upstreamBlob !== upstreamBlob) {
        const upstream = entry ? await this.upstream.readText(entry) : undefined
        const extended = log !== undefined && log.privateKey === privateKey && upstream !== undefined && log.versions.extend(upstream)
        const versions = extended ? log!.versions : VersionsLog.start({ upstream, privateNames, privateLines })
        log = this.log = { versions, upstreamBlob, privateKey }
      }
      log.versions.correct(await this.upstream.heldMd5s())
      if (this.memo?.versions !== log.versions || this.memo.generation !== log.versions.generation) {
        this.memo = { versions: log.versions, generation: log.versions.generation, doc: document(log.versions.text, 'HIT') }
      }
      return this.memo.doc
    })
  }

  /** One catch-up at a time; a newer /versions arriving meanwhile is caught up to right after. */
  private startCatchUp(listed: ReadonlyMap<string, string>, privateNames: ReadonlySet<string>): void {
    if (this.catchingUp) {
      this.pendingCatchUp = { listed, privateNames }
      return
    }
    this.catchingUp = this.catchUp(listed, privateNames).finally(() => {
      this.catchingUp = undefined
      const next = this.pendingCatchUp
      this.pendingCatchUp = undefined
      if (next) this.startCatchUp(next.listed, next.privateNames)
    })
  }

  private async catchUp(listed: ReadonlyMap<string, string>, privateNames: ReadonlySet<string>): Promise<void> {
    const held = await this.upstream.heldMd5s().catch(() => new Map<string, string>())
    const behind = [...held].filter(([name, md5]) => !privateNames.has(name) && listed.has(name) && listed.get(name) !== md5).map(([name]) => name)
    if (behind.length === 0) return
    let failed = 0
    const worker = async () => {
      for (let name = behind.shift(); name !== undefined; name = behind.shift()) {
        await this.upstream.info(name, { forceRefresh: true }).catch((error: unknown) => {
          failed += 1
          // The held body stays and /versions names its md5: consistent, only older.
          this.services.logger.warn({ app: 'gems', gem: name, ...errorFields(error) }, 'could not refresh /info for the new /versions')
        })
      }
    }
    const total = behind.length
    await Promise.all(Array.from({ length: INFO_CATCH_UP_CONCURRENCY }, worker))
    this.services.logger.info({ app: 'gems', refreshed: total - failed, failed }, 'compact index caught up with upstream /versions')
  }
}
