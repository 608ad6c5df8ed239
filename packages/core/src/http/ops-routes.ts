/** Operations endpoints: /healthz (process up, liveness only), /readyz (store writable now), /metrics (Prometheus text). */
import { Hono } from 'hono'
import type { MetricsRegistry } from '../metrics/index.js'
import type { LarderEnv } from './types.js'

export interface OpsRoutesOptions {
  metrics: MetricsRegistry
  /** Whether the app can serve now, and if not why; probed on every call. */
  ready: () => Promise<{ ready: boolean; reason?: string }>
}

export function createOpsRoutes(options: OpsRoutesOptions): Hono<LarderEnv> {
  const app = new Hono<LarderEnv>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const state = await options.ready().catch((err: unknown) => ({ ready: false, reason: String(err) }))
    if (state.ready) return c.json({ status: 'ready' })
    return c.json({ status: 'not ready', reason: state.reason ?? 'unknown' }, 503)
  })
  app.get('/metrics', async (c) => c.body(await options.metrics.render(), 200, { 'content-type': options.metrics.contentType }))
  return app
}
