/** poetry.lock. */
import { notYetFormat } from '../lockfile-format.js'

export const poetryLockFormat = notYetFormat('Poetry', (name) => name === 'poetry.lock')
