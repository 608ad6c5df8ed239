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
  })
})
