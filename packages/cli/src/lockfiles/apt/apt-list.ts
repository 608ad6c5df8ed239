/** An APT package list: `name=version:arch` lines for one archive and suite. */
import { notYetFormat } from '../lockfile-format.js'

export const aptListFormat = notYetFormat('APT list', (name) => name.endsWith('.apt-list') || name === 'apt.list')
