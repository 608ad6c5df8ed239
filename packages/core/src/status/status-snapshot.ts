/** What the status page shows, gathered once per view from memory and cheap reads: traffic, upstream health, disk, recent events. */
import type { PublishEvent } from '../events/publish-event.js'
import { countStoreSoon, lastStoreStats } from '../maintenance/store-gauges.js'
import type { StoreStats } from '../maintenance/store-stats.js'
import type { LarderServices } from '../services/index.js'
import type { UpstreamHealth } from '../upstream/types.js'
import { diskSpace, type DiskSpace } from './disk-space.js'
import { recentEvents } from './recent-events.js'
import type { TrafficSeries, TrafficTotals } from './traffic-series.js'

/** A mirror as the root document names it. */
export interface StatusMirror {
  name: string
  prefix: string
  /** Where clients point. */
  urls: string[]
}

/** The chart's span and resolution: 24 h in 48 half-hour steps. */
export const CHART_MINUTES = 1440
export const CHART_POINTS = 48

export interface MirrorTraffic extends StatusMirror {
  hour: TrafficTotals
  day: TrafficTotals
  chart: TrafficTotals[]
}

export interface StatusSnapshot {
  now: number
  mirrors: MirrorTraffic[]
  upstreams: UpstreamHealth[]
  /** The last count of the store (every 10 minutes), if one has finished. */
  store: { stats: StoreStats; at: number } | undefined
  maxCacheBytes: number | undefined
  dataDir: string
  disk: DiskSpace | undefined
  events: PublishEvent[]
  /** Why the events could not be read, if they could not. */
  eventsError?: string
}

export async function statusSnapshot(services: LarderServices, mirrors: readonly StatusMirror[], series: TrafficSeries): Promise<StatusSnapshot> {
  let events: PublishEvent[] = []
  let eventsError: string | undefined
  try {
    events = await recentEvents(services.events)
  } catch (err) {
    eventsError = err instanceof Error ? err.message : String(err)
  }
  // The page shows the last count; an old one is counted again for the next view, never walked per view.
  countStoreSoon(services.store)
  return {
    now: Date.now(),
    mirrors: mirrors.map((mirror) => ({
      ...mirror,
      hour: series.totals(mirror.name, 60),
      day: series.totals(mirror.name, 1440),
      chart: series.steps(mirror.name, CHART_MINUTES, CHART_POINTS),
    })),
    upstreams: services.upstream.health(),
    store: lastStoreStats(services.store),
    maxCacheBytes: services.config.maxCacheBytes,
    dataDir: services.config.dataDir,
    disk: await diskSpace(services.config.dataDir),
    events,
    ...(eventsError ? { eventsError } : {}),
  }
}
