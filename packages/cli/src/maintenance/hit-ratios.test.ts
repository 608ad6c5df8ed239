import { describe, expect, it } from 'vitest'
import { hitRatios } from './hit-ratios.js'

describe('hitRatios', () => {
  it('counts HIT, STALE, OFFLINE and REVALIDATED against MISS per app, leaving PRIVATE and PASS out of the ratio', () => {
    const text = [
      '# TYPE larder_requests_total counter',
      'larder_requests_total{app="npm",status="200",cache="HIT"} 6',
      'larder_requests_total{app="npm",status="200",cache="REVALIDATED"} 1',
      'larder_requests_total{app="npm",status="200",cache="MISS"} 3',
      'larder_requests_total{app="npm",status="201",cache="PRIVATE"} 2',
      'larder_requests_total{app="pypi",status="200",cache="PASS"} 4',
      'larder_active_fills 0',
    ].join('\n')
    expect(hitRatios(text)).toEqual({
      npm: { requests: 12, fromStore: 7, misses: 3, ratio: 0.7 },
      pypi: { requests: 4, fromStore: 0, misses: 0, ratio: null },
    })
  })
})
