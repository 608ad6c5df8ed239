/** Requests, store answers and bytes per app and minute for the last 24 h, in memory: 1440 buckets an app, a fixed size. */
import type { CacheResult } from '../policy/index.js'

export const BUCKET_MS = 60_000
/** 24 h of minutes. */
export const BUCKETS = 1440

/** Answers from the store; MISS is the other side of the ratio; PRIVATE and PASS count as requests only. */
const HITS: ReadonlySet<string> = new Set<CacheResult>(['HIT', 'STALE', 'OFFLINE', 'REVALIDATED'])

export interface TrafficTotals {
  requests: number
  hits: number
  misses: number
  bytes: number
}

/** The hits among hits and misses, or undefined when there were neither. */
export function hitRatio(totals: TrafficTotals): number | undefined {
  const counted = totals.hits + totals.misses
  return counted === 0 ? undefined : totals.hits / counted
}

/** One app's ring: field arrays indexed by minute modulo BUCKETS, each slot tagged with the minute it holds. */
class AppRing {
  readonly minute = new Float64Array(BUCKETS).fill(-1)
  readonly requests = new Uint32Array(BUCKETS)
  readonly hits = new Uint32Array(BUCKETS)
  readonly misses = new Uint32Array(BUCKETS)
  readonly bytes = new Float64Array(BUCKETS)

  slot(minute: number): number {
    const i = minute % BUCKETS
    if (this.minute[i] !== minute) {
      this.minute[i] = minute
      this.requests[i] = this.hits[i] = this.misses[i] = this.bytes[i] = 0
    }
    return i
  }

  /** Sums the minutes in [from, to); slots holding other minutes are old and count as nothing. */
  sum(from: number, to: number): TrafficTotals {
    const totals = { requests: 0, hits: 0, misses: 0, bytes: 0 }
    for (let minute = Math.max(from, to - BUCKETS); minute < to; minute++) {
      const i = minute % BUCKETS
      if (this.minute[i] !== minute) continue
      totals.requests += this.requests[i]!
      totals.hits += this.hits[i]!
      totals.misses += this.misses[i]!
      totals.bytes += this.bytes[i]!
    }
    return totals
  }
}

export class TrafficSeries {
  private readonly rings = new Map<string, AppRing>()

  constructor(private readonly now: () => number = Date.now) {}

  /** What the request edge calls once per answered request. */
  record(app: string, cache: CacheResult, bytes: number): void {
    let ring = this.rings.get(app)
    if (!ring) this.rings.set(app, (ring = new AppRing()))
    const i = ring.slot(Math.floor(this.now() / BUCKET_MS))
    ring.requests[i]!++
    if (HITS.has(cache)) ring.hits[i]!++
    else if (cache === 'MISS') ring.misses[i]!++
    if (bytes > 0) ring.bytes[i]! += bytes
  }

  /** The totals of the last `minutes` minutes (the current one included). */
  totals(app: string, minutes: number): TrafficTotals {
    const to = Math.floor(this.now() / BUCKET_MS) + 1
    return this.rings.get(app)?.sum(to - minutes, to) ?? { requests: 0, hits: 0, misses: 0, bytes: 0 }
  }

  /** The last `minutes` minutes in `points` equal steps, oldest first: for a chart. */
  steps(app: string, minutes: number, points: number): TrafficTotals[] {
    const to = Math.floor(this.now() / BUCKET_MS) + 1
    const width = Math.max(1, Math.ceil(minutes / points))
    const ring = this.rings.get(app)
    return Array.from({ length: points }, (_, k) => {
      const end = to - (points - 1 - k) * width
      return ring?.sum(end - width, end) ?? { requests: 0, hits: 0, misses: 0, bytes: 0 }
    })
  }
}

const bySource = new WeakMap<object, TrafficSeries>()

/** The one series of a set of services (the mirrors record into it, the status page reads it). */
export function trafficSeriesOf(services: object): TrafficSeries {
  let series = bySource.get(services)
  if (!series) bySource.set(services, (series = new TrafficSeries()))
  return series
}
