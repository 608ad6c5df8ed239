/** Runs the Composer mirror alone (one container per app in docker-compose), at the same URL layout as the all-in-one server. */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createOpsRoutes, createServices, loadConfig, type LarderEnv } from '@larder/core'
import { createApp } from './app.js'

const services = createServices(loadConfig())
const app = new Hono<LarderEnv>()
app.route('/', createOpsRoutes({ metrics: services.metrics, ready: () => services.ready() }))
app.route('/', createApp({ services }))
const server = serve({ fetch: app.fetch, port: services.config.port, hostname: services.config.host }, (info) => {
  services.logger.info({ port: info.port, host: services.config.host, app: 'composer' }, `listening on http://${services.config.host}:${info.port}`)
})
const shutdown = () => server.close(() => void services.close().then(() => process.exit(0)))
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
