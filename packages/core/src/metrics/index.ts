/** Metrics: Prometheus text for /metrics. */
export * from './registry.js'
