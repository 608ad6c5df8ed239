/** Runs the npm mirror alone (one container per app in docker-compose), at the same URL layout as the all-in-one server. */
import { launch } from '@larder/core'
import { npmMirror } from './app.js'

await launch({ name: 'npm', mirrors: [npmMirror] })
