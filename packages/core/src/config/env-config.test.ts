import { describe, expect, it } from 'vitest'
import { DEFAULT_UPSTREAMS, loadConfig, parseNamedUrls } from './env-config.js'

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, offline: false, indexTtlMs: 300_000, protectReads: false })
    expect(config.dataDir.endsWith('/data')).toBe(true)
    expect(config.upstreams.npm).toBe(DEFAULT_UPSTREAMS.npm)
    expect(Object.keys(config.upstreams.apt)).toEqual(['debian', 'debian-security'])
  })

  it('reads every setting', () => {
    const config = loadConfig({
      PORT: '0',
      LARDER_OFFLINE: '1',
      LARDER_NPM_UPSTREAM: 'http://127.0.0.1:4873/',
      LARDER_PUBLIC_URL: 'https://mirror.example.com/',
      LARDER_TOKENS: 'ci=0123456789:npm',
      LARDER_INDEX_TTL_SECONDS: '5',
      LARDER_UPSTREAM_TIMEOUT_SECONDS: '2',
      LARDER_UPSTREAM_RETRIES: '0',
    })
    expect(config).toMatchObject({ upstreamTimeoutMs: 2000, upstreamRetries: 0, staleDeadlineMs: 3000 })
    expect(config).toMatchObject({ port: 0, offline: true, indexTtlMs: 5000, publicUrl: 'https://mirror.example.com' })
    expect(config.upstreams.npm).toBe('http://127.0.0.1:4873')
    expect(config.tokens).toHaveLength(1)
  })

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => loadConfig({ LARDER_OFFLINE: 'maybe' })).toThrow(/LARDER_OFFLINE/)
    expect(() => loadConfig({ LARDER_NPM_UPSTREAM: 'ftp://x' })).toThrow(/LARDER_NPM_UPSTREAM/)
    expect(() => parseNamedUrls('LARDER_APT_UPSTREAMS', 'Debian=http://x')).toThrow(/LARDER_APT_UPSTREAMS/)
    expect(() => loadConfig({ LARDER_LOG_LEVEL: 'verbose' })).toThrow(/LARDER_LOG_LEVEL must be one of fatal, error, warn, info/)
    expect(() => loadConfig({ LARDER_UPSTREAM_DEADLINE_SECONDS: '0' })).toThrow(/LARDER_UPSTREAM_DEADLINE_SECONDS/)
    expect(() => loadConfig({ LARDER_MIN_FREE_MB: '-1' })).toThrow(/LARDER_MIN_FREE_MB/)
    expect(() => loadConfig({ LARDER_REQUEST_HEADERS_TIMEOUT_SECONDS: '30', LARDER_REQUEST_TIMEOUT_SECONDS: '10' })).toThrow(
      /LARDER_REQUEST_TIMEOUT_SECONDS must be 0/,
    )
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
