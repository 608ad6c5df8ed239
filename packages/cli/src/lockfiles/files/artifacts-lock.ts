/** artifacts.lock.yaml: generic files by download URL and checksum (the shape Hermeto uses). */
import { notYetFormat } from '../lockfile-format.js'

export const artifactsLockFormat = notYetFormat('artifacts.lock.yaml', (name) => name === 'artifacts.lock.yaml')
