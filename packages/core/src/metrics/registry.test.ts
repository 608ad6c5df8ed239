import { describe, expect, it } from 'vitest'
import { MetricsRegistry } from './registry.js'

describe('MetricsRegistry', () => {
  it('renders labelled counters, histograms and gauges in Prometheus text format', async () => {
    const registry = new MetricsRegistry()
    const requests = registry.counter('larder_requests_total', 'Requests served', ['app', 'cache'])
    requests.inc({ app: 'npm', cache: 'HIT' })
    requests.inc({ cache: 'HIT', app: 'npm' })
    requests.inc({ app: 'npm', cache: 'MISS' })
    registry.histogram('larder_request_duration_seconds', 'Time to answer', ['app']).observe({ app: 'npm' }, 0.02)
    registry.gauge('larder_active_fills', 'Downloads in progress', () => 3)
    registry.gauge('larder_upstream_circuit_state', 'Per upstream', () => [{ labels: { origin: 'https://a' }, value: 2 }], ['origin'])
    const text = await registry.render()
    expect(text).toContain('# TYPE larder_requests_total counter')
    expect(text).toContain('larder_requests_total{app="npm",cache="HIT"} 2')
    expect(text).toContain('larder_requests_total{app="npm",cache="MISS"} 1')
    expect(text).toContain('larder_request_duration_seconds_bucket{le="0.025",app="npm"} 1')
    expect(text).toContain('larder_active_fills 3')
    expect(text).toContain('larder_upstream_circuit_state{origin="https://a"} 2')
    expect(registry.counter('larder_requests_total', 'x')).toBe(requests)
    expect(await requests.get({ app: 'npm', cache: 'HIT' })).toBe(2)
  })

  it('escapes label values, and adds Node process metrics when asked', async () => {
    const registry = new MetricsRegistry({ processMetrics: true })
    registry.counter('c', 'h', ['path']).inc({ path: 'a"b\\c' })
    const text = await registry.render()
    expect(text).toContain('c{path="a\\"b\\\\c"} 1')
    expect(text).toContain('process_resident_memory_bytes')
  })
})
