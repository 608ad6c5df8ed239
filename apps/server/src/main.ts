/** `npm start`: every Larder mirror in one process on http://127.0.0.1:8080 (PORT, HOST, LARDER_DATA_DIR). */
import { serve } from '@hono/node-server'
import { createServices, isLarderError, loadConfig } from '@larder/core'
import { createServerApp } from './server-app.js'

let config
try {
  config = loadConfig()
} catch (err) {
  console.error(`larder: ${isLarderError(err) ? err.message : String(err)}${isLarderError(err) && err.hint ? ` (${err.hint})` : ''}`)
  process.exit(2)
}
const services = createServices(config)
const app = createServerApp(services)
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  services.logger.info(
    { port: info.port, host: config.host, dataDir: config.dataDir, offline: config.offline, upstreams: config.upstreams },
    `listening on http://${config.host}:${info.port}`,
  )
})
// Long downloads and uploads must not be cut by Node's default request timeout.
server.setTimeout?.(0)
const shutdown = () => server.close(() => void services.close().then(() => process.exit(0)))
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
