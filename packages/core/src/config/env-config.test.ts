import { describe, expect, it } from 'vitest'
import { loadConfig, type MirrorSettings } from './env-config.js'
import { parseNamedUrls, readHttpUrl } from './settings.js'

// Two mirrors as the server would declare them: each reads its own variables.
const mirrors: MirrorSettings[] = [
  { name: 'alpha', settings: (env) => ({ upstream: readHttpUrl(env, 'LARDER_ALPHA_UPSTREAM', 'https://alpha.example') }) },
  {
    name: 'beta',
    settings: (env, base) => ({ offlineToo: base.offline, archives: parseNamedUrls('LARDER_BETA_UPSTREAMS', env.LARDER_BETA_UPSTREAMS ?? 'a=http://a') }),
  },
]

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, offline: false, indexTtlMs: 300_000, protectReads: false })
    expect(config.dataDir.endsWith('/data')).toBe(true)
    expect(config.mirrors).toEqual({})
    expect(config.maxArtifactBytes).toBe(8 * 1024 ** 3)
  })

  it("reads each mirror's settings once, after the core's, and checks token scopes against the mirrors", () => {
    const config = loadConfig({ LARDER_OFFLINE: '1', LARDER_TOKENS: 'ci=0123456789:alpha+beta' }, { mirrors })
    expect(config.mirrors).toEqual({ alpha: { upstream: 'https://alpha.example' }, beta: { offlineToo: true, archives: { a: 'http://a' } } })
    expect(() => loadConfig({ LARDER_TOKENS: 'ci=0123456789:gamma' }, { mirrors })).toThrow(/unknown scope "gamma"/)
    // A one-mirror process shares the token list with the others: it cannot tell a typo from another mirror's scope.
    expect(loadConfig({ LARDER_TOKENS: 'ci=0123456789:gamma' }, { mirrors: mirrors.slice(0, 1) }).tokens).toHaveLength(1)
    expect(() => loadConfig({ LARDER_ALPHA_UPSTREAM: 'ftp://x' }, { mirrors })).toThrow(/LARDER_ALPHA_UPSTREAM/)
  })

  it('reads every setting', () => {
    const config = loadConfig(
      {
        PORT: '0',
        LARDER_OFFLINE: '1',
        LARDER_ALPHA_UPSTREAM: 'http://127.0.0.1:4873/',
        LARDER_MAX_ARTIFACT_MB: '10',
        LARDER_PUBLIC_URL: 'https://mirror.example.com/',
        LARDER_TOKENS: 'ci=0123456789:alpha',
        LARDER_INDEX_TTL_SECONDS: '5',
        LARDER_UPSTREAM_TIMEOUT_SECONDS: '2',
        LARDER_UPSTREAM_RETRIES: '0',
      },
      { mirrors },
    )
    expect(config).toMatchObject({ upstreamTimeoutMs: 2000, upstreamRetries: 0, staleDeadlineMs: 3000 })
    expect(config).toMatchObject({ port: 0, offline: true, indexTtlMs: 5000, publicUrl: 'https://mirror.example.com' })
    expect(config.mirrors.alpha).toEqual({ upstream: 'http://127.0.0.1:4873' })
    expect(config.maxArtifactBytes).toBe(10 * 1024 * 1024)
    expect(config.tokens).toHaveLength(1)
  })

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => loadConfig({ LARDER_OFFLINE: 'maybe' })).toThrow(/LARDER_OFFLINE/)
    expect(() => loadConfig({ LARDER_MAX_ARTIFACT_MB: '0' })).toThrow(/LARDER_MAX_ARTIFACT_MB/)
    expect(() => parseNamedUrls('LARDER_APT_UPSTREAMS', 'Debian=http://x')).toThrow(/LARDER_APT_UPSTREAMS/)
    expect(() => loadConfig({ LARDER_LOG_LEVEL: 'verbose' })).toThrow(/LARDER_LOG_LEVEL must be one of fatal, error, warn, info/)
    expect(() => loadConfig({ LARDER_UPSTREAM_DEADLINE_SECONDS: '0' })).toThrow(/LARDER_UPSTREAM_DEADLINE_SECONDS/)
    expect(() => loadConfig({ LARDER_MIN_FREE_MB: '-1' })).toThrow(/LARDER_MIN_FREE_MB/)
    expect(() => loadConfig({ LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS: '30', LARDER_REQUEST_TIMEOUT_SECONDS: '10' })).toThrow(
      /LARDER_REQUEST_TIMEOUT_SECONDS must be 0/,
    )
  })

  it('reads the webhooks, and refuses them without a secret or with a URL that is not http(s)', () => {
    const secret = 'a-secret-of-sixteen+'
    expect(loadConfig({ LARDER_WEBHOOKS: 'http://salt:8000/hook/larder, https://ci.example/hook', LARDER_WEBHOOK_SECRET: secret })).toMatchObject({
      webhooks: ['http://salt:8000/hook/larder', 'https://ci.example/hook'],
      webhookSecret: secret,
      webhookRetryMaxMs: 300_000,
      eventsRetentionMs: 7 * 86_400_000,
    })
    expect(() => loadConfig({ LARDER_WEBHOOKS: 'http://salt:8000/hook' })).toThrow(/LARDER_WEBHOOK_SECRET is not/)
    expect(() => loadConfig({ LARDER_WEBHOOKS: 'salt:8000/hook', LARDER_WEBHOOK_SECRET: secret })).toThrow(/LARDER_WEBHOOKS/)
    expect(() => loadConfig({ LARDER_WEBHOOK_SECRET: 'short' })).toThrow(/at least 16/)
  })

  it('reads the eviction limits, fractions of a GB included, and names a bad one', () => {
    expect(loadConfig({ LARDER_MAX_CACHE_GB: '0.5', LARDER_EVICT_UNUSED_DAYS: '30' })).toMatchObject({
      maxCacheBytes: 0.5 * 1024 ** 3,
      evictUnusedMs: 30 * 86_400_000,
      evictIntervalMs: 300_000,
    })
    expect(loadConfig({})).toMatchObject({ maxCacheBytes: undefined, evictUnusedMs: undefined })
    expect(() => loadConfig({ LARDER_MAX_CACHE_GB: 'lots' })).toThrow(/LARDER_MAX_CACHE_GB must be a number/)
    expect(() => loadConfig({ LARDER_EVICT_UNUSED_DAYS: '0' })).toThrow(/LARDER_EVICT_UNUSED_DAYS/)
  })

  it('reads the hard limits on upstream downloads and client connections', () => {
    expect(loadConfig({})).toMatchObject({
      upstreamDeadlineMs: 3_600_000,
      upstreamMinBytesPerSecond: 1024,
      upstreamThroughputWindowMs: 30_000,
      requestHeadersTimeoutMs: 20_000,
      requestTimeoutMs: 3_600_000,
      keepAliveTimeoutMs: 5000,
      minFreeBytes: 256 * 1024 * 1024,
      logLevel: 'info',
    })
    const config = loadConfig({
      LARDER_UPSTREAM_DEADLINE_SECONDS: '20',
      LARDER_UPSTREAM_MIN_BYTES_PER_SECOND: '0',
      LARDER_UPSTREAM_THROUGHPUT_WINDOW_SECONDS: '2',
      LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS: '3',
      LARDER_REQUEST_TIMEOUT_SECONDS: '0',
      LARDER_KEEP_ALIVE_TIMEOUT_SECONDS: '7',
      LARDER_MIN_FREE_MB: '1',
      LARDER_LOG_LEVEL: 'WARN',
    })
    expect(config).toMatchObject({
      upstreamDeadlineMs: 20_000,
      upstreamMinBytesPerSecond: 0,
      upstreamThroughputWindowMs: 2000,
      requestHeadersTimeoutMs: 3000,
      requestTimeoutMs: 0,
      keepAliveTimeoutMs: 7000,
      minFreeBytes: 1024 * 1024,
      logLevel: 'warn',
    })
  })
})
