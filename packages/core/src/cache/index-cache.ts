/** Volatile indexes: TTL, revalidation, stale-if-error, negative caching, one upstream fetch per key. */
import { LarderError, toLarderError } from '../errors/index.js'
import type { Flight } from '../flight/index.js'
import { decideIndex, isNotFoundStatus, revalidationHeaders } from '../policy/index.js'
import type { BlobInfo, CacheEntry } from '../store/types.js'
import type { UpstreamResponse } from '../upstream/index.js'
import { receiveIndexBody, type ReceivedIndexBody } from './index-body.js'
import type { ResolvedCacheOptions } from './options.js'
import { KEEP_PREVIOUS, type IndexRequest, type IndexResponse, type ProcessedIndex } from './types.js'

export class IndexCache {
  private readonly flights: Flight<IndexResponse>
  /**
   * Concurrent callers share one store read, so they all reach `flights` together: with a read
   * each, a late one could find a fast upstream failure already settled and ask upstream again.
   */
  private readonly lookups: Flight<CacheEntry | undefined>

  constructor(private readonly options: ResolvedCacheOptions) {
    this.flights = options.createFlight<IndexResponse>('index-fetch')
    this.lookups = options.createFlight<CacheEntry | undefined>('index-lookup')
  }

  /** The cached entry of an index, fetching or revalidating it as the policy says. */
  async get(request: IndexRequest): Promise<IndexResponse> {
    const { store, now } = this.options
    const label = request.label ?? request.key
    const entry = await this.lookups.run(request.key, () => store.getEntry(request.key))
    const decision = decideIndex(entry, now(), this.policyFor(request), request.forceRefresh)
    switch (decision.action) {
      case 'serve':
        return { result: decision.result, entry: entry! }
      case 'not-found':
        throw new LarderError('E_NOT_FOUND', `${label} is not on the upstream (cached answer)`, { cacheResult: 'HIT' })
      case 'offline-miss':
        throw new LarderError('E_OFFLINE_MISS', `${label} is not cached and Larder is offline`, {
          hint: 'unset LARDER_OFFLINE to let Larder fetch it from upstream',
        })
      case 'fetch':
        return this.withStaleDeadline(
          this.flights.run(request.key, () => this.refreshHoldingLease(request, entry)),
          entry,
          label,
        )
    }
  }

  /**
   * Under LARDER_WORKERS one worker of the host refreshes a key at a time; one that waited for the
   * lease decides again on the entry the one before it stored, and asks upstream only if it must.
   */
  private async refreshHoldingLease(request: IndexRequest, entry: CacheEntry | undefined): Promise<IndexResponse> {
    const { leases, store, now } = this.options
    if (!leases) return this.refresh(request, entry)
    const release = await leases.acquire(`index-fetch:${request.key}`)
    try {
      const current = await store.getEntry(request.key)
      if (current?.fetchedAt !== entry?.fetchedAt) {
        const decision = decideIndex(current, now(), this.policyFor(request), false)
        if (decision.action === 'serve') return { result: decision.result, entry: current! }
        if (decision.action === 'not-found') {
          throw new LarderError('E_NOT_FOUND', `${request.label ?? request.key} is not on the upstream (cached answer)`, { cacheResult: 'HIT' })
        }
      }
      return await this.refresh(request, current)
    } finally {
      release()
    }
  }

  private policyFor(request: IndexRequest) {
    const { offline, negativeTtlMs, indexTtlMs } = this.options
    return { ttlMs: request.ttlMs ?? indexTtlMs, negativeTtlMs, offline }
  }

  /** A slow upstream must not stall installs that a cached copy can serve: past the deadline, serve it. */
  private withStaleDeadline(refresh: Promise<IndexResponse>, entry: CacheEntry | undefined, label: string): Promise<IndexResponse> {
    const deadline = this.options.staleDeadlineMs
    if (entry?.status !== 'ok' || deadline <= 0) return refresh
    return new Promise<IndexResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        const reason = new LarderError('E_UPSTREAM_TIMEOUT', `${label}: upstream slower than ${deadline} ms, served the cached copy`)
        resolve({ result: 'STALE', entry, staleReason: reason })
      }, deadline)
      timer.unref()
      refresh.then(
        (response) => {
          clearTimeout(timer)
          resolve(response)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  private async refresh(request: IndexRequest, previous: CacheEntry | undefined): Promise<IndexResponse> {
    const label = request.label ?? request.key
    const stale = previous?.status === 'ok' ? previous : undefined
    let body: ReceivedIndexBody | undefined
    try {
      const response = await this.options.upstream.request({
        url: request.url,
        headers: { ...request.headers, ...revalidationHeaders(stale) },
      })
      if (response.status === 304 && stale) {
        response.body.destroy()
        return { result: 'REVALIDATED', entry: await this.touch(stale, response) }
      }
      if (isNotFoundStatus(response.status)) {
        response.body.destroy()
        const error = new LarderError('E_NOT_FOUND', `${label} is not on the upstream (${response.status})`, { cacheResult: 'MISS' })
        // Deleted upstream after we cached it: keep serving what builds already depend on.
        if (stale) return { result: 'STALE', entry: stale, staleReason: error }
        await this.options.store.putEntry({ key: request.key, status: 'missing', fetchedAt: this.options.now() })
        throw error
      }
      if (response.status !== 200) {
        response.body.destroy()
        throw new LarderError('E_UPSTREAM_STATUS', `${label}: upstream answered ${response.status} (${response.url})`)
      }
      body = await receiveIndexBody(response, { label, spoolDir: this.options.store.spoolDir, maxBytes: this.options.maxIndexBytes })
      if (stale && stale.upstreamHash === body.sha256) {
        return { result: 'REVALIDATED', entry: await this.touch(stale, response) }
      }
      const processed = await request.process(body, previous).catch((err: unknown) => {
        throw err instanceof LarderError
          ? err
          : new LarderError(
              'E_UPSTREAM_GARBAGE',
              `${label}: upstream sent a document Larder cannot read (${err instanceof Error ? err.message : String(err)})`,
              { cause: err },
            )
      })
      if (processed === KEEP_PREVIOUS && stale) return { result: 'REVALIDATED', entry: await this.touch(stale, response) }
      if (processed === KEEP_PREVIOUS) throw new LarderError('E_UPSTREAM_GARBAGE', `${label}: upstream document refused`)
      const entry = await this.save(request.key, processed, body.sha256, response)
      return { result: 'MISS', entry }
    } catch (err) {
      const error = toLarderError(err)
      if (stale && error.isUpstreamFailure) return { result: 'STALE', entry: stale, staleReason: error }
      throw error
    } finally {
      await body?.discard()
    }
  }

  /** Records that upstream confirmed the entry now, with any new validators. */
  private async touch(entry: CacheEntry, response: UpstreamResponse): Promise<CacheEntry> {
    const touched: CacheEntry = {
      ...entry,
      fetchedAt: this.options.now(),
      etag: response.headers['etag'] ?? entry.etag,
      lastModified: response.headers['last-modified'] ?? entry.lastModified,
    }
    await this.options.store.putEntry(touched)
    return touched
  }

  private async save(key: string, processed: ProcessedIndex, upstreamHash: string, response: UpstreamResponse): Promise<CacheEntry> {
    const { store } = this.options
    const main = await store.putBlob(processed.body)
    const parts: Record<string, BlobInfo> = {}
    for (const [name, bytes] of Object.entries(processed.parts ?? {})) parts[name] = await store.putBlob(bytes)
    const entry: CacheEntry = {
      key,
      status: 'ok',
      fetchedAt: this.options.now(),
      blob: main.sha256,
      size: main.size,
      contentType: processed.contentType,
      etag: response.headers['etag'],
      lastModified: response.headers['last-modified'],
      upstreamHash,
      parts,
      meta: processed.meta,
    }
    await store.putEntry(entry)
    return entry
  }
}
