/** Fetches an upstream suite's InRelease (plus Release and Release.gpg from the same moment) as one cached document. */
import { KEEP_PREVIOUS, LarderError, isLarderError, readAll, type CacheEntry, type IndexResponse, type LarderServices, type ProcessedIndex, type UpstreamIndexBody } from '@larder/core'
import { parseRelease, signedText, type ReleaseFacts } from '../deb822/release-file.js'
import { encodePath } from '../paths/apt-path.js'
import { upstreamReleaseKey } from './mirror-keys.js'

export const RELEASE_CONTENT_TYPE = 'text/plain; charset=utf-8'
/** Debian's largest Release files are well under 1 MiB; this bounds what a broken upstream can make Larder buffer. */
export const MAX_RELEASE_BYTES = 64 * 1024 * 1024

/** What the stored entry's meta holds (the file table is the entry's main body, as JSON). */
export interface ReleaseMeta {
  date?: number
  validUntil?: number
  acquireByHash: boolean
}

export function suiteUrl(base: string, suite: string, file: string): string {
  return `${base}/dists/${encodePath(suite)}/${encodePath(file)}`
}

export class ReleaseSource {
  constructor(private readonly services: LarderServices) {}

  /**
   * The newest upstream Release of a suite (TTL, revalidation, stale-if-error and offline as core does them):
   * InRelease, or Release + Release.gpg for archives that have no InRelease.
   */
  async get(archive: string, base: string, suite: string): Promise<IndexResponse> {
    try {
      return await this.services.cache.index({
        key: upstreamReleaseKey(archive, suite),
        url: suiteUrl(base, suite, 'InRelease'),
        label: `${archive} ${suite}/InRelease`,
        process: (body, previous) => this.process(archive, base, suite, body, previous),
      })
    } catch (err) {
      if (!isLarderError(err, 'E_NOT_FOUND')) throw err
      return this.services.cache.index({
        key: `${upstreamReleaseKey(archive, suite)}:detached`,
        url: suiteUrl(base, suite, 'Release'),
        label: `${archive} ${suite}/Release`,
        process: (body, previous) => this.processDetached(archive, base, suite, body, previous),
      })
    }
  }

  private async processDetached(archive: string, base: string, suite: string, body: UpstreamIndexBody, previous: CacheEntry | undefined): Promise<ProcessedIndex | typeof KEEP_PREVIOUS> {
    const release = await body.readBytes()
    const facts = parseRelease(release.toString('utf8'), `${archive} ${suite}/Release`)
    const before = (previous?.meta as ReleaseMeta | undefined)?.date
    if (before !== undefined && facts.date !== undefined && facts.date < before) return KEEP_PREVIOUS
    // Without Release.gpg apt refuses the Release anyway (unless the client says trusted=yes): a missing one fails the fill.
    const signature = await this.fetch(suiteUrl(base, suite, 'Release.gpg'))
    if (!signature) throw new LarderError('E_UPSTREAM_STATUS', `${archive} ${suite} has neither InRelease nor Release.gpg`)
    const parts = { Release: release, 'Release.gpg': signature }
    return { body: Buffer.from(JSON.stringify(facts.files)), contentType: 'application/json', parts, meta: { ...releaseMeta(facts) } }
  }

  private async process(archive: string, base: string, suite: string, body: UpstreamIndexBody, previous: CacheEntry | undefined): Promise<ProcessedIndex | typeof KEEP_PREVIOUS> {
    const inRelease = await body.readBytes()
    const text = signedText(inRelease.toString('utf8'))
    const facts = parseRelease(text, `${archive} ${suite}/InRelease`)
    const before = (previous?.meta as ReleaseMeta | undefined)?.date
    // A lagging mirror behind a load balancer can answer with an older Release: keep the newer one.
    if (before !== undefined && facts.date !== undefined && facts.date < before) return KEEP_PREVIOUS
    const parts: Record<string, Uint8Array> = { InRelease: inRelease }
    const detached = await this.fetchDetached(base, suite, text)
    if (detached) Object.assign(parts, detached)
    return { body: Buffer.from(JSON.stringify(facts.files)), contentType: 'application/json', parts, meta: { ...releaseMeta(facts) } }
  }

  /** Release and Release.gpg when upstream has them and they match the InRelease just read. */
  private async fetchDetached(base: string, suite: string, text: string): Promise<Record<string, Buffer> | undefined> {
    try {
      const release = await this.fetch(suiteUrl(base, suite, 'Release'))
      const signature = await this.fetch(suiteUrl(base, suite, 'Release.gpg'))
      if (!release || !signature) return undefined
      // Upstream may have moved on between the requests: never pair a Release with another moment's InRelease.
      if (release.toString('utf8').trimEnd() !== text.trimEnd()) return undefined
      return { Release: release, 'Release.gpg': signature }
    } catch (err) {
      if (err instanceof LarderError && err.isUpstreamFailure) return undefined
      throw err
    }
  }

  private async fetch(url: string): Promise<Buffer | undefined> {
    const response = await this.services.upstream.request({ url })
    if (response.status !== 200) {
      response.body.destroy()
      return undefined
    }
    return readAll(response.body, MAX_RELEASE_BYTES, url).catch((err: unknown) => {
      // Too large is the upstream's fault here, not the client's: it must not turn into a 413.
      throw isLarderError(err, 'E_TOO_LARGE') ? new LarderError('E_UPSTREAM_GARBAGE', (err as Error).message, { cause: err }) : err
    })
  }
}

function releaseMeta(facts: ReleaseFacts): ReleaseMeta {
  return {
    acquireByHash: facts.acquireByHash,
    ...(facts.date !== undefined ? { date: facts.date } : {}),
    ...(facts.validUntil !== undefined ? { validUntil: facts.validUntil } : {}),
  }
}
