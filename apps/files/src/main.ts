/** Runs the files mirror alone (one container per app in docker-compose), at the same URL layout as the all-in-one server. */
import { launch } from '@larder/core'
import { filesMirror } from './app.js'

await launch({ name: 'files', mirrors: [filesMirror] })
