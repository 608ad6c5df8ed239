/** `npm start`: every Larder mirror in one process on http://127.0.0.1:8080 (PORT, HOST, LARDER_DATA_DIR). */
import { launch } from '@larder/core'
import { createServerApp } from './server-app.js'

await launch({
  name: 'server',
  // The server app mounts the ops routes itself (its tests call it without a launcher).
  opsRoutes: false,
  build: (services) => ({ app: createServerApp(services), listening: { upstreams: services.config.upstreams } }),
})
