/** uv.lock. */
import { notYetFormat } from '../lockfile-format.js'

export const uvLockFormat = notYetFormat('uv', (name) => name === 'uv.lock')
