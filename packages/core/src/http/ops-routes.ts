/** Operations endpoints: /healthz (process up), /readyz (store usable), /metrics (Prometheus text). */
import { Hono } from 'hono'
import type { MetricsRegistry } from '../metrics/index.js'
import type { LarderEnv } from './types.js'

export interface OpsRoutesOptions {
  metrics: MetricsRegistry
  /** Resolves true when the app can serve (its store answers). */
  ready: () => Promise<boolean>
}

export function createOpsRoutes(options: OpsRoutesOptions): Hono<LarderEnv> {
  const app = new Hono<LarderEnv>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const ready = await options.ready().catch(() => false)
    return c.json({ status: ready ? 'ready' : 'not ready' }, ready ? 200 : 503)
  })
  app.get('/metrics', (c) =>
    c.body(options.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  )
  return app
}
