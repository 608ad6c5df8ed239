/** Immutable artifacts: served from the store, or fetched once, verified, and streamed to every waiting client. */
import { LarderError } from '../errors/index.js'
import { SpoolFill, type Flight } from '../flight/index.js'
import type { CacheEntry } from '../store/types.js'
import { safeUrl } from '../upstream/upstream-failure.js'
import { checkArtifactFormat } from './artifact-format.js'
import type { ResolvedCacheOptions } from './options.js'
import type { ArtifactRequest, ArtifactResponse, ResolvableArtifactRequest } from './types.js'

const DEFAULT_CONTENT_TYPE = 'application/octet-stream'

interface ActiveFill {
  fill: SpoolFill
  size: number | undefined
  contentType: string
  holdUntilVerified: boolean
}

/** What starting a fill found instead: another worker of the host stored the artifact while this one waited for the lease. */
const STORED_BY_ANOTHER_WORKER = Symbol('stored by another worker')

export class ArtifactCache {
  private readonly starting: Flight<ActiveFill | typeof STORED_BY_ANOTHER_WORKER>
  /**
   * Concurrent callers share one store lookup, so they all reach `starting` together: with a lookup
   * each, a late one could find a fast upstream failure already settled and ask upstream again.
   */
  private readonly lookups: Flight<CacheEntry | undefined>
  private readonly active = new Map<string, ActiveFill>()

  constructor(private readonly options: ResolvedCacheOptions) {
    this.starting = options.createFlight<ActiveFill | typeof STORED_BY_ANOTHER_WORKER>('artifact-fill')
    this.lookups = options.createFlight<CacheEntry | undefined>('artifact-lookup')
  }

  /** The number of downloads in progress (for /metrics). */
  get activeFills(): number {
    return this.active.size
  }

  async get(request: ArtifactRequest | ResolvableArtifactRequest): Promise<ArtifactResponse> {
    const hit = await this.lookup(request.key)
    if (hit) return hit
    if (this.options.offline) {
      throw new LarderError('E_OFFLINE_MISS', `${request.label ?? request.key} is not cached and Larder is offline`, {
        hint: 'unset LARDER_OFFLINE to let Larder fetch it from upstream',
      })
    }
    for (;;) {
      const active = this.active.get(request.key) ?? (await this.starting.run(request.key, () => this.startHoldingLease(request)))
      if (active === STORED_BY_ANOTHER_WORKER) {
        const stored = await this.lookup(request.key)
        if (stored) return { ...stored, result: 'MISS' }
        continue
      }
      // The fill may have finished while this caller waited: then the store has it (or it failed).
      if (active.fill.state === 'filling' && active.holdUntilVerified) {
        // Rejects with the fill's error; a committed fill is in the store, and not finding it there is a store fault, never a second download.
        await active.fill.done
        const verified = await this.lookup(request.key)
        if (verified) return { ...verified, result: 'MISS' }
        throw new LarderError('E_STORE', `${request.label ?? request.key} was verified but is not in the store`)
      }
      if (active.fill.state === 'filling') {
        const { fill } = active
        const { store } = this.options
        let stored: Promise<CacheEntry> | undefined
        // Handled here so a caller that never looks at it leaves no unhandled rejection; one that does still hears why.
        const settled = fill.done.then(() => {})
        settled.catch(() => {})
        return {
          result: 'MISS',
          body: fill.reader(),
          size: active.size,
          contentType: active.contentType,
          settled,
          // Looked up only for a caller that asks: most never do, and a miss should cost no extra store read.
          get stored() {
            stored ??= fill.done.then(async () => {
              const entry = await store.getEntry(request.key)
              if (entry?.status !== 'ok') throw new LarderError('E_STORE', `${request.label ?? request.key} was verified but is not in the store`)
              return entry
            })
            return stored
          },
        }
      }
      if (active.fill.state === 'failed') throw active.fill.error!
      const stored = await this.lookup(request.key)
      if (stored) return stored
    }
  }

  /** The stored entry of a key when its blob is present. */
  async lookup(key: string): Promise<ArtifactResponse | undefined> {
    const entry = await this.lookups.run(key, () => this.options.store.getEntry(key))
    if (entry?.status !== 'ok' || !entry.blob) return undefined
    const body = await this.options.store.openBlob(entry.blob)
    if (!body) return undefined
    this.options.onServed?.(key)
    return {
      result: this.options.offline ? 'OFFLINE' : 'HIT',
      body,
      size: entry.size,
      contentType: entry.contentType ?? DEFAULT_CONTENT_TYPE,
      entry,
    }
  }

  /**
   * Under LARDER_WORKERS the fill holds the host lease of its key until it is stored or refused; a worker
   * that waited for the lease looks in the store first, where the one before it put the artifact.
   */
  private async startHoldingLease(request: ArtifactRequest | ResolvableArtifactRequest): Promise<ActiveFill | typeof STORED_BY_ANOTHER_WORKER> {
    const { leases } = this.options
    if (!leases) return this.resolveAndStart(request)
    const release = await leases.acquire(`artifact-fill:${request.key}`)
    try {
      const entry = await this.options.store.getEntry(request.key)
      if (entry?.status === 'ok' && entry.blob && (await this.options.store.statBlob(entry.blob))) {
        release()
        return STORED_BY_ANOTHER_WORKER
      }
      const active = await this.resolveAndStart(request)
      void active.fill.done.catch(() => {}).finally(release)
      return active
    } catch (err) {
      release()
      throw err
    }
  }

  private async resolveAndStart(request: ArtifactRequest | ResolvableArtifactRequest): Promise<ActiveFill> {
    if (!('resolve' in request)) return this.start(request)
    const source = await request.resolve()
    return this.start({ ...source, label: source.label ?? request.label, key: request.key })
  }

  private async start(request: ArtifactRequest): Promise<ActiveFill> {
    const { store, upstream } = this.options
    const label = request.label ?? request.key
    const response = await upstream.request({ url: request.url, headers: request.headers })
    if (response.status !== 200) {
      response.body.destroy()
      if (response.status === 404 || response.status === 410) {
        throw new LarderError('E_NOT_FOUND', `${label} is not on the upstream (${response.status} from ${safeUrl(response.url)})`, {
          cacheResult: 'MISS',
        })
      }
      throw new LarderError('E_UPSTREAM_STATUS', `${label}: upstream answered ${response.status} (${safeUrl(response.url)})`, {
        upstreamStatus: response.status,
      })
    }
    const announced = response.headers['content-encoding'] ? undefined : parseLength(response.headers['content-length'])
    if (request.expectedSize !== undefined && announced !== undefined && announced !== request.expectedSize) {
      // Known before a byte is sent: a clean refusal, never a 200 cut off (or ended early) at the listed size.
      response.body.destroy()
      throw new LarderError('E_INTEGRITY', `${label}: the upstream announces ${announced} bytes, the index lists ${request.expectedSize}; nothing was stored`, {
        hint: 'the index and the file disagree: the upstream may be mid-update, retry later',
      })
    }
    const expectedSize = request.expectedSize ?? announced
    if (expectedSize !== undefined && expectedSize > this.options.maxArtifactBytes) {
      response.body.destroy()
      throw new LarderError('E_TOO_LARGE', `${label} is ${expectedSize} bytes, over the limit of ${this.options.maxArtifactBytes}`, {
        hint: 'raise LARDER_MAX_ARTIFACT_MB if artifacts this large are expected',
      })
    }
    if (request.format) await checkArtifactFormat(response.body, response.headers['content-type'], request.format, label)
    const contentType = request.contentType ?? response.headers['content-type'] ?? DEFAULT_CONTENT_TYPE
    const expectedLater = request.checkedLater?.then((check) => check.expected)
    // Handled from the start: the check may fail (an unreadable packument) while the spool file is still being
    // opened, before the fill listens, and the fill hears of it anyway when it asks at the end of the body.
    expectedLater?.catch(() => {})
    const fill = await SpoolFill.create({
      spoolDir: store.spoolDir,
      label,
      expected: request.expected,
      ...(expectedLater ? { expectedLater } : {}),
      expectedSize,
      maxBytes: this.options.maxArtifactBytes,
      commit: async (path, result) => {
        await store.ingestBlob(path, { sha256: result.sha256, size: result.size })
        const entry: CacheEntry = {
          key: request.key,
          status: 'ok',
          fetchedAt: this.options.now(),
          blob: result.sha256,
          size: result.size,
          contentType,
          // artifact: fetched from an upstream, so eviction may drop it and a later request fetch it again.
          meta: { ...request.meta, ...(await request.checkedLater)?.meta, url: response.url, digests: result.digests, artifact: true },
        }
        await store.putEntry(entry)
      },
    }).catch((err: unknown) => {
      // No spool (disk full, permissions): the upstream socket must not be left open.
      response.body.destroy()
      throw err
    })
    const active: ActiveFill = { fill, size: expectedSize, contentType, holdUntilVerified: request.holdUntilVerified ?? false }
    this.active.set(request.key, active)
    // A failed fill is forgotten as it settles, before its readers hear of it, so that a caller
    // arriving after the failure asks upstream again instead of being handed the old error.
    fill.once('settled', () => {
      if (fill.error) this.active.delete(request.key)
    })
    void fill.consume(response.body).then(() => {
      if (this.active.get(request.key) === active) this.active.delete(request.key)
      if (fill.error) this.options.onFillError?.(request.key, fill.error)
    })
    return active
  }
}

function parseLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}
