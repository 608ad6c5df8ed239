/** yarn.lock: classic (v1, yarn's own syntax) and berry (v2+, YAML with a `__metadata:` block), told apart by content. */
import type { LockfileFormat } from '../lockfile-format.js'
import type { ReadLockfile } from '../locked-item.js'
import { readBerryLock } from './yarn-berry.js'
import { readClassicLock } from './yarn-classic.js'

const CLASSIC_MARK = /^# yarn lockfile v1\s*$/m
const BERRY_MARK = /^__metadata:\s*$/m

export const yarnLockFormat: LockfileFormat = {
  name: 'yarn',
  byName: (name) => name === 'yarn.lock',
  byContent: (text) => CLASSIC_MARK.test(text) || BERRY_MARK.test(text),
  read: (path, text) => readYarnLock(path, text),
}

export function readYarnLock(path: string, text: string): ReadLockfile {
  if (BERRY_MARK.test(text)) return readBerryLock(path, text)
  // yarn classic writes its marker line; an empty file is what it writes for a project with no dependencies.
  if (CLASSIC_MARK.test(text) || text.trim() === '') return readClassicLock(path, text)
  throw new Error(`${path} is neither a yarn classic lockfile (no "# yarn lockfile v1" line) nor a berry one (no __metadata block)`)
}
