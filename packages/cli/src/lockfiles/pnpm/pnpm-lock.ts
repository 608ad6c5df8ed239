/** pnpm-lock.yaml (lockfileVersion 6 to 9). */
import { notYetFormat } from '../lockfile-format.js'

export const pnpmLockFormat = notYetFormat('pnpm', (name) => name === 'pnpm-lock.yaml')
