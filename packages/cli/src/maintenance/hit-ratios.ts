/** Hit ratios per mirror since a server started, read from its /metrics (larder_requests_total by app and cache result). */

/** Answers from the store, revalidated or not, against MISS: what the cache saved. PRIVATE and PASS are neither. */
const FROM_STORE = new Set(['HIT', 'STALE', 'OFFLINE', 'REVALIDATED'])

export interface HitRatio {
  requests: number
  fromStore: number
  misses: number
  /** fromStore / (fromStore + misses); null before the first cacheable request. */
  ratio: number | null
}

export function hitRatios(metricsText: string): Record<string, HitRatio> {
  const byApp: Record<string, HitRatio> = {}
  for (const line of metricsText.split('\n')) {
    const match = /^larder_requests_total\{([^}]*)\} (\d+(?:\.\d+)?)$/.exec(line)
    if (!match) continue
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    const app = labels.app ?? 'unknown'
    const count = Number(match[2])
    const ratio = (byApp[app] ??= { requests: 0, fromStore: 0, misses: 0, ratio: null })
    ratio.requests += count
    if (FROM_STORE.has(labels.cache ?? '')) ratio.fromStore += count
    if (labels.cache === 'MISS') ratio.misses += count
  }
  for (const ratio of Object.values(byApp)) {
    const cacheable = ratio.fromStore + ratio.misses
    ratio.ratio = cacheable === 0 ? null : ratio.fromStore / cacheable
  }
  return byApp
}
