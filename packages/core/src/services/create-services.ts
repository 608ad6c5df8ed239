/** Everything an app needs, built once from the configuration: logger, metrics, store, upstream client, cache, tokens. */
import { randomBytes } from 'node:crypto'
import { createTokenStore, type TokenStore } from '../auth/index.js'
import { createCache, type LarderCache } from '../cache/index.js'
import type { LarderConfig } from '../config/index.js'
import type { FlightFactory } from '../flight/index.js'
import { publishEventsFromConfig, type PublishEvents } from '../events/index.js'
import { HotResponses } from '../http/hot-responses.js'
import { createLogger, errorFields, type Logger } from '../log/index.js'
import { createAccessLog, type AccessLog } from '../maintenance/access-log.js'
import { MetricsRegistry } from '../metrics/index.js'
import type { CacheStore, ExternalChanges } from '../store/index.js'
import type { ClusterLeases, Database } from '../database/index.js'
import { openConfiguredStore } from './open-store.js'
import type { HostLeases } from '../workers/host-leases.js'
import { createUpstreamClient, type UpstreamClient } from '../upstream/index.js'

export interface LarderServices {
  config: LarderConfig
  logger: Logger
  metrics: MetricsRegistry
  store: CacheStore
  upstream: UpstreamClient
  cache: LarderCache
  tokens: TokenStore
  /** When each artifact was last served, for eviction. */
  access: AccessLog
  /** Where mirrors announce every change to what they host (LARDER_WEBHOOKS, GET /-/events). */
  events: PublishEvents
  /** Whole answers remembered and sent again before routing (a cached packument, a small tarball). */
  hot: HotResponses
  /**
   * Leases so that a fill or a hosted change happens once: across every replica with a database, across the
   * host's workers under LARDER_WORKERS, else none.
   */
  leases: HostLeases | ClusterLeases | undefined
  /** The shared PostgreSQL (LARDER_DATABASE_URL), when there is one. */
  database: Database | undefined
  /** This process's Via token: sent upstream, and refused when a request comes back carrying it. */
  via: string
  /** Probes the store (space, writes) each time it is called. */
  ready(): Promise<ReadyState>
  close(): Promise<void>
}

export interface ReadyState {
  ready: boolean
  /** Why not, for the operator. */
  reason?: string
}

export interface ServicesOverrides {
  logger?: Logger
  /** Another backend (the filesystem store under LARDER_DATA_DIR by default). */
  store?: CacheStore
  upstream?: UpstreamClient
  /** Coalescing across replicas (in-process single-flight by default). */
  createFlight?: FlightFactory
  /** Node's own metrics (memory, CPU, event-loop lag) in /metrics: for a server, not for tests and commands. */
  processMetrics?: boolean
  /** A worker's seams to its primary (see workers/): host-wide leases, entry changes, the shared outbox. */
  leases?: HostLeases
  entryChanges?: ExternalChanges
  events?: PublishEvents
}

export function createServices(config: LarderConfig, overrides: ServicesOverrides = {}): LarderServices {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel })
  const metrics = new MetricsRegistry({ processMetrics: overrides.processMetrics ?? false })
  const upstreamDurations = metrics.histogram('larder_upstream_request_duration_seconds', 'Exchanges with upstreams, by origin and outcome', [
    'origin',
    'outcome',
  ])
  const upstreamErrors = metrics.counter('larder_upstream_errors_total', 'Upstream exchanges that failed, by origin and error code', ['origin', 'code'])
  // Unique per process, so Larder chained behind another Larder is fine but a loop is not.
  const via = `1.1 larder-${randomBytes(6).toString('hex')}`
  const opened = openConfiguredStore(config, overrides)
  const { store, leases } = opened
  const upstream =
    overrides.upstream ??
    createUpstreamClient({
      connectTimeoutMs: Math.min(config.upstreamTimeoutMs, 10_000),
      headersTimeoutMs: config.upstreamTimeoutMs,
      bodyTimeoutMs: config.upstreamTimeoutMs,
      retries: config.upstreamRetries,
      deadlineMs: config.upstreamDeadlineMs,
      minBytesPerSecond: config.upstreamMinBytesPerSecond,
      throughputWindowMs: config.upstreamThroughputWindowMs,
      via,
      onExchange: ({ origin, ms, outcome }) => {
        upstreamDurations.observe({ origin, outcome }, ms / 1000)
        if (outcome.startsWith('E_')) upstreamErrors.inc({ origin, code: outcome })
      },
    })
  const circuitLevel = { closed: 0, 'half-open': 1, open: 2 } as const
  metrics.gauge(
    'larder_upstream_circuit_state',
    'Each upstream origin asked so far: 0 closed, 1 half-open (a trial is due), 2 open (failing fast)',
    () => upstream.health().map((h) => ({ labels: { origin: h.origin }, value: circuitLevel[h.circuit] })),
    ['origin'],
  )
  const access = createAccessLog(store)
  const fillErrors = metrics.counter('larder_fill_errors_total', 'Artifact downloads refused (integrity, truncation, size)', ['code'])
  const cache = createCache({
    store,
    upstream,
    offline: config.offline,
    indexTtlMs: config.indexTtlMs,
    negativeTtlMs: config.negativeTtlMs,
    staleDeadlineMs: config.staleDeadlineMs,
    maxArtifactBytes: config.maxArtifactBytes,
    ...(overrides.createFlight ? { createFlight: overrides.createFlight } : {}),
    ...(leases ? { leases } : {}),
    onServed: (key) => access.served(key),
    onFillError: (key, error) => {
      fillErrors.inc({ code: error.code })
      logger.warn({ key, ...errorFields(error) }, `download of ${key} refused: ${error.message}`)
    },
  })
  metrics.gauge('larder_active_fills', 'Upstream downloads in progress', () => cache.activeFills)
  if (leases && 'waiting' in leases) {
    metrics.gauge('larder_lease_waiting', 'Fills and changes waiting for a lease another replica holds', () => leases.waiting)
  }
  const tokens = createTokenStore(config.tokens, { protectReads: config.protectReads })
  const events = overrides.events ?? publishEventsFromConfig(config, logger, metrics, opened.database)
  return {
    config,
    logger,
    metrics,
    store,
    upstream,
    cache,
    tokens,
    events,
    access,
    hot: new HotResponses({ store, maxBytes: config.memoryCacheBytes, now: cache.options.now }),
    leases,
    database: opened.database,
    via,
    async ready() {
      try {
        await store.probe()
        return { ready: true }
      } catch (err) {
        return { ready: false, reason: err instanceof Error ? err.message : String(err) }
      }
    },
    async close() {
      opened.close()
      await access.close()
      await events.close()
      await upstream.close()
      await store.close()
      await opened.database?.close()
    },
  }
}
