/** `npm start`: every Larder mirror in one process on http://127.0.0.1:8080 (PORT, HOST, LARDER_DATA_DIR). */
import { launch } from '@larder/core'
import { MIRRORS } from './server-app.js'

await launch({ name: 'server', mirrors: MIRRORS })
