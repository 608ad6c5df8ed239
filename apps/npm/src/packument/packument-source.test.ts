import { describe, expect, it } from 'vitest'
import type { LarderServices } from '@larder/core'
import type { PrivateRegistry } from '../private/private-registry.js'
import { FORCED_REFRESH_INTERVAL_MS, PackumentSource, type PackumentHandle } from './packument-source.js'

describe('PackumentSource.mayRefresh', () => {
  it('grants one forced refresh per package per interval, on the services clock', () => {
    let clock = Date.parse('2025-01-01T00:00:00Z')
    const services = { cache: { options: { now: () => clock } } } as unknown as LarderServices
    const source = new PackumentSource(services, {} as PrivateRegistry, 'http://upstream.invalid')
    const handle = (name: string, result: PackumentHandle['result'] = 'HIT') =>
      ({ entry: { key: `npm:packument:${name}` }, result, private: false }) as PackumentHandle

    expect(source.mayRefresh(handle('a'))).toBe(true)
    expect(source.mayRefresh(handle('a'))).toBe(false)
    expect(source.mayRefresh(handle('b'))).toBe(true)
    clock += FORCED_REFRESH_INTERVAL_MS - 1
    expect(source.mayRefresh(handle('a'))).toBe(false)
    clock += 2
    expect(source.mayRefresh(handle('a'))).toBe(true)
    // A copy just fetched or revalidated, or served offline, is never refetched on its account.
    for (const result of ['MISS', 'REVALIDATED', 'OFFLINE'] as const) expect(source.mayRefresh(handle('c', result))).toBe(false)
  })
})
