import { describe, expect, it } from 'vitest'
import type { CacheEntry } from '../store/types.js'
import { decideIndex, revalidationHeaders } from './index-policy.js'

const policy = { ttlMs: 1000, negativeTtlMs: 100, offline: false }
const ok = (fetchedAt: number, extra: Partial<CacheEntry> = {}): CacheEntry => ({ key: 'n:k', status: 'ok', fetchedAt, ...extra })
const missing = (fetchedAt: number): CacheEntry => ({ key: 'n:k', status: 'missing', fetchedAt })

describe('decideIndex', () => {
  it('fetches what is not cached', () => {
    expect(decideIndex(undefined, 0, policy)).toEqual({ action: 'fetch', conditional: false })
  })

  it('serves a fresh entry and revalidates an expired one with validators', () => {
    expect(decideIndex(ok(0, { etag: '"a"' }), 999, policy)).toEqual({ action: 'serve', result: 'HIT' })
    expect(decideIndex(ok(0, { etag: '"a"' }), 1000, policy)).toEqual({ action: 'fetch', conditional: true })
    expect(decideIndex(ok(0), 1000, policy)).toEqual({ action: 'fetch', conditional: false })
  })

  it('refetches a fresh entry when forced', () => {
    expect(decideIndex(ok(0, { lastModified: 'x' }), 1, policy, true)).toEqual({ action: 'fetch', conditional: true })
  })

  it('negatively caches 404s briefly, even when forced', () => {
    expect(decideIndex(missing(0), 99, policy, true)).toEqual({ action: 'not-found', result: 'HIT' })
    expect(decideIndex(missing(0), 100, policy)).toEqual({ action: 'fetch', conditional: false })
  })

  it('treats a clock that went backwards as expired', () => {
    expect(decideIndex(ok(5000), 10, policy).action).toBe('fetch')
  })

  it('never fetches when offline', () => {
    const offline = { ...policy, offline: true }
    expect(decideIndex(undefined, 0, offline)).toEqual({ action: 'offline-miss' })
    expect(decideIndex(ok(0), 1e9, offline)).toEqual({ action: 'serve', result: 'OFFLINE' })
    expect(decideIndex(missing(0), 1e9, offline)).toEqual({ action: 'not-found', result: 'OFFLINE' })
  })
})

describe('revalidationHeaders', () => {
  it('sends the stored validators only for entries with a body', () => {
    expect(revalidationHeaders(ok(0, { etag: '"e"', lastModified: 'Mon' }))).toEqual({
      'if-none-match': '"e"',
      'if-modified-since': 'Mon',
    })
    expect(revalidationHeaders(missing(0))).toEqual({})
  })
})
