/**
 * Fetches an upstream suite's InRelease (plus Release and Release.gpg from the same moment) as one cached
 * document, stored only once its signature checks against the archive's keyring.
 */
import {
  KEEP_PREVIOUS,
  LarderError,
  errorFields,
  isLarderError,
  readAll,
  toLarderError,
  type CacheEntry,
  type IndexResponse,
  type LarderServices,
  type ProcessedIndex,
  type UpstreamIndexBody,
} from '@larder/core'
import { parseRelease, type ReleaseFacts } from '../deb822/release-file.js'
import { encodePath } from '../paths/apt-path.js'
import { upstreamReleaseKey } from './mirror-keys.js'
import type { ReleaseVerifier } from './release-verifier.js'

export const RELEASE_CONTENT_TYPE = 'text/plain; charset=utf-8'
/** Debian's largest Release files are well under 1 MiB; this bounds what a broken upstream can make Larder buffer. */
export const MAX_RELEASE_BYTES = 64 * 1024 * 1024

/** What the stored entry's meta holds (the file table is the entry's main body, as JSON). */
export interface ReleaseMeta {
  date?: number
  validUntil?: number
  acquireByHash: boolean
  /** Fingerprint of the key whose signature Larder checked; absent for archives in LARDER_APT_INSECURE_NO_VERIFY. */
  signedBy?: string
}

export function suiteUrl(base: string, suite: string, file: string): string {
  return `${base}/dists/${encodePath(suite)}/${encodePath(file)}`
}

export class ReleaseSource {
  constructor(
    private readonly services: LarderServices,
    private readonly verifier: ReleaseVerifier,
  ) {}

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

  private async processDetached(
    archive: string,
    base: string,
    suite: string,
    body: UpstreamIndexBody,
    previous: CacheEntry | undefined,
  ): Promise<ProcessedIndex | typeof KEEP_PREVIOUS> {
    const label = `${archive} ${suite}/Release`
    const release = await body.readBytes()
    // Parsed first only to tell a page that is no Release at all (a captive portal) from a bad signature.
    const facts = parseRelease(release.toString('utf8'), label)
    // Without Release.gpg apt refuses the Release anyway (unless the client says trusted=yes): a missing one fails the fill.
    const signature = await this.fetch(suiteUrl(base, suite, 'Release.gpg'))
    if (!signature) throw new LarderError('E_UPSTREAM_STATUS', `${archive} ${suite} has neither InRelease nor Release.gpg`)
    // Checked before its Date decides anything: a forged Release must not even choose what is kept.
    const signedBy = await this.refusalLogged(archive, suite, () => this.verifier.checkDetached(archive, release, signature, label))
    if (olderThanHeld(facts, previous)) return KEEP_PREVIOUS
    return storedRelease(facts, signedBy, { Release: release, 'Release.gpg': signature })
  }

  private async process(
    archive: string,
    base: string,
    suite: string,
    body: UpstreamIndexBody,
    previous: CacheEntry | undefined,
  ): Promise<ProcessedIndex | typeof KEEP_PREVIOUS> {
    const label = `${archive} ${suite}/InRelease`
    const inRelease = await body.readBytes()
    const { text, signedBy } = await this.refusalLogged(archive, suite, () => this.verifier.checkInRelease(archive, inRelease, label))
    const facts = parseRelease(text, label)
    if (olderThanHeld(facts, previous)) return KEEP_PREVIOUS
    const detached = await this.fetchDetached(archive, base, suite, text)
    return storedRelease(facts, signedBy, { InRelease: inRelease, ...detached })
  }

  /** Release and Release.gpg when upstream has them, they match the InRelease just read, and Release.gpg checks too. */
  private async fetchDetached(archive: string, base: string, suite: string, text: string): Promise<Record<string, Buffer> | undefined> {
    try {
      const release = await this.fetch(suiteUrl(base, suite, 'Release'))
      const signature = await this.fetch(suiteUrl(base, suite, 'Release.gpg'))
      if (!release || !signature) return undefined
      // Upstream may have moved on between the requests: never pair a Release with another moment's InRelease.
      if (release.toString('utf8').trimEnd() !== text.trimEnd()) return undefined
      await this.verifier.checkDetached(archive, release, signature, `${archive} ${suite}/Release`)
      return { Release: release, 'Release.gpg': signature }
    } catch (err) {
      // Clients read InRelease first; without the pair apt still has it (Release answers 404, as for a mismatch).
      if (isLarderError(err, 'E_INTEGRITY'))
        this.services.logger.warn({ archive, suite, ...errorFields(err) }, 'upstream Release.gpg refused; serving InRelease only')
      if (err instanceof LarderError && err.isUpstreamFailure) return undefined
      throw err
    }
  }

  /** Runs a signature check, logging a refusal with its reason (the caller keeps the previous copy). */
  private async refusalLogged<T>(archive: string, suite: string, check: () => Promise<T>): Promise<T> {
    try {
      return await check()
    } catch (err) {
      const error = toLarderError(err)
      this.services.logger.warn({ archive, suite, ...errorFields(error) }, 'upstream Release refused: its signature does not check')
      throw error
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

function releaseMeta(facts: ReleaseFacts, signedBy: string | undefined): ReleaseMeta {
  return {
    acquireByHash: facts.acquireByHash,
    ...(signedBy !== undefined ? { signedBy } : {}),
    ...(facts.date !== undefined ? { date: facts.date } : {}),
    ...(facts.validUntil !== undefined ? { validUntil: facts.validUntil } : {}),
  }
}

/** A lagging mirror behind a load balancer can answer with an older Release than the one held: keep the newer. */
function olderThanHeld(facts: ReleaseFacts, previous: CacheEntry | undefined): boolean {
  const before = (previous?.meta as ReleaseMeta | undefined)?.date
  return before !== undefined && facts.date !== undefined && facts.date < before
}

/** What is stored of a verified Release: its file table, the signed documents as parts, its facts as meta. */
function storedRelease(facts: ReleaseFacts, signedBy: string | undefined, parts: Record<string, Uint8Array>): ProcessedIndex {
  return { body: Buffer.from(JSON.stringify(facts.files)), contentType: 'application/json', parts, meta: { ...releaseMeta(facts, signedBy) } }
}
