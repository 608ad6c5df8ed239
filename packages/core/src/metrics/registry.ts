/** A small Prometheus text-format registry: labelled counters and gauges read at scrape time. */

type Labels = Record<string, string | number>

function labelKey(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}="${String(labels[name]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

export class Counter {
  private readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels)
    this.values.set(key, (this.values.get(key) ?? 0) + by)
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const [key, value] of this.values) lines.push(`${this.name}${key} ${value}`)
    return lines.join('\n')
  }
}

export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`].join('\n')
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Counter | Gauge>()

  counter(name: string, help: string): Counter {
    const existing = this.metrics.get(name)
    if (existing instanceof Counter) return existing
    const counter = new Counter(name, help)
    this.metrics.set(name, counter)
    return counter
  }

  gauge(name: string, help: string, read: () => number): Gauge {
    const gauge = new Gauge(name, help, read)
    this.metrics.set(name, gauge)
    return gauge
  }

  render(): string {
    return [...this.metrics.values()].map((metric) => metric.render()).join('\n') + '\n'
  }
}
