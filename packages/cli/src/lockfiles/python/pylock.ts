/** pylock.toml (PEP 751). */
import { notYetFormat } from '../lockfile-format.js'

export const pylockFormat = notYetFormat('PEP 751', (name) => name === 'pylock.toml' || /^pylock\..+\.toml$/.test(name))
