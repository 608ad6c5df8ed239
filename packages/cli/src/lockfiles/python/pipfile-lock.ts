/** Pipfile.lock. */
import { notYetFormat } from '../lockfile-format.js'

export const pipfileLockFormat = notYetFormat('Pipenv', (name) => name === 'Pipfile.lock')
