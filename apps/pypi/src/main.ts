/** Runs the PyPI mirror alone (one container per app in docker-compose), at the same URL layout as the all-in-one server. */
import { launch } from '@larder/core'
import { pypiMirror } from './app.js'

await launch({ name: 'pypi', mirrors: [pypiMirror] })
