import { describe, expect, it } from 'vitest'
import { MetricsRegistry } from './registry.js'

describe('MetricsRegistry', () => {
  it('renders labelled counters and gauges in Prometheus text format', () => {
    const registry = new MetricsRegistry()
    const requests = registry.counter('larder_requests_total', 'Requests served')
    requests.inc({ app: 'npm', cache: 'HIT' })
    requests.inc({ cache: 'HIT', app: 'npm' })
    requests.inc({ app: 'npm', cache: 'MISS' })
    registry.gauge('larder_active_fills', 'Downloads in progress', () => 3)
    const text = registry.render()
    expect(text).toContain('# TYPE larder_requests_total counter')
    expect(text).toContain('larder_requests_total{app="npm",cache="HIT"} 2')
    expect(text).toContain('larder_requests_total{app="npm",cache="MISS"} 1')
    expect(text).toContain('larder_active_fills 3')
    expect(registry.counter('larder_requests_total', 'x')).toBe(requests)
  })

  it('escapes label values', () => {
    const registry = new MetricsRegistry()
    registry.counter('c', 'h').inc({ path: 'a"b\\c' })
    expect(registry.render()).toContain('c{path="a\\"b\\\\c"} 1')
  })
})
