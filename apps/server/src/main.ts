/** `npm start`: every Larder mirror in one process on http://127.0.0.1:8080 (PORT, HOST, LARDER_DATA_DIR), and /-/api/ for the larder command over HTTP. */
import { createLockfileApi } from '@larder/cli'
import { launch } from '@larder/core'
import { MIRRORS } from './server-app.js'

await launch({ name: 'server', mirrors: MIRRORS, routes: ({ services, app }) => createLockfileApi({ services, mirrors: MIRRORS, app }) })
