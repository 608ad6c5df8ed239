/** Prometheus metrics through prom-client: labelled counters, histograms, and gauges read at scrape time, plus Node's own. */
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry, collectDefaultMetrics } from 'prom-client'

export type Labels = Record<string, string | number>

/** Seconds; from a store hit (a few ms) to a multi-GB fill. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120]

export interface Counter {
  inc(labels?: Labels, by?: number): void
  get(labels?: Labels): Promise<number>
}

export interface Histogram {
  observe(labels: Labels, value: number): void
}

/** A gauge's value at scrape time: one number, or one per label set. */
export type GaugeReading = number | ReadonlyArray<{ labels: Labels; value: number }>

export class MetricsRegistry {
  readonly prometheus = new Registry()
  private readonly counters = new Map<string, Counter>()
  private readonly histograms = new Map<string, Histogram>()

  constructor(options: { processMetrics?: boolean } = {}) {
    // Memory, CPU, event-loop lag, GC: what an operator checks first when a mirror is slow.
    if (options.processMetrics) collectDefaultMetrics({ register: this.prometheus })
  }

  get contentType(): string {
    return this.prometheus.contentType
  }

  /** The same counter for the same name, so every mirror's edge counts into one series. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const existing = this.counters.get(name)
    if (existing) return existing
    const metric = new PromCounter({ name, help, labelNames: [...labelNames], registers: [this.prometheus] })
    const child = childrenOf(labelNames, (labels) => metric.labels(labels))
    const counter: Counter = {
      inc: (labels = {}, by = 1) => child(labels).inc(by),
      get: async (labels = {}) => (await metric.get()).values.find((v) => sameLabels(v.labels, stringLabels(labels)))?.value ?? 0,
    }
    this.counters.set(name, counter)
    return counter
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[] = DURATION_BUCKETS): Histogram {
    const existing = this.histograms.get(name)
    if (existing) return existing
    const metric = new PromHistogram({ name, help, labelNames: [...labelNames], buckets: [...buckets], registers: [this.prometheus] })
    const child = childrenOf(labelNames, (labels) => metric.labels(labels))
    const histogram: Histogram = { observe: (labels, value) => child(labels).observe(value) }
    this.histograms.set(name, histogram)
    return histogram
  }

  gauge(name: string, help: string, read: () => GaugeReading, labelNames: readonly string[] = []): void {
    if (this.prometheus.getSingleMetric(name)) return
    new PromGauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.prometheus],
      collect() {
        const reading = read()
        this.reset()
        if (typeof reading === 'number') this.set(reading)
        else for (const { labels, value } of reading) this.set(stringLabels(labels), value)
      },
    })
  }

  /** Under LARDER_WORKERS: the host's metrics (every worker's, summed by the primary) instead of this process's. */
  acrossHost: (() => Promise<string>) | undefined

  render(): Promise<string> {
    return this.acrossHost ? this.acrossHost() : this.prometheus.metrics()
  }

  /** This process's metrics as prom-client's JSON, which the primary sums across workers. */
  localJson(): Promise<unknown[]> {
    return this.prometheus.getMetricsAsJSON()
  }
}

/** Most label sets an app ever uses; past this, children are made per call again (a bound against unbounded label values). */
const MAX_REMEMBERED_LABEL_SETS = 10_000

/**
 * prom-client's child of one label set, remembered by its values: counting a request is then one Map
 * lookup, not building and hashing a label object on the hot path.
 */
function childrenOf<T>(labelNames: readonly string[], make: (labels: Record<string, string>) => T): (labels: Labels) => T {
  const children = new Map<string, T>()
  return (labels) => {
    const key = labelNames.map((name) => labels[name] ?? '').join('\u0001')
    let child = children.get(key)
    if (!child) {
      child = make(stringLabels(labels))
      if (children.size < MAX_REMEMBERED_LABEL_SETS) children.set(key, child)
    }
    return child
  }
}

function stringLabels(labels: Labels): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]))
}

function sameLabels(a: Partial<Record<string, string | number>>, b: Record<string, string>): boolean {
  const keys = Object.keys(b)
  return Object.keys(a).length === keys.length && keys.every((k) => String(a[k]) === b[k])
}
