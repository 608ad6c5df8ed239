/** yarn.lock: classic (v1) and berry (v2+). */
import { notYetFormat } from '../lockfile-format.js'

export const yarnLockFormat = notYetFormat('yarn', (name) => name === 'yarn.lock')
