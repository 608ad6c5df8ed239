/** Runs the APT mirror alone (one container per app in docker-compose), at the same URL layout as the all-in-one server. */
import { launch } from '@larder/core'
import { aptMirror } from './app.js'

// The signing key is made (or read) before listening: see the handler's start().
await launch({ name: 'apt', mirrors: [aptMirror] })
