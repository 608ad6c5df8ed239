/** Runs the RubyGems mirror alone (one container per app in docker-compose), at the same URL layout as the all-in-one server. */
import { launch } from '@larder/core'
import { gemsMirror } from './app.js'

await launch({ name: 'gems', mirrors: [gemsMirror] })
