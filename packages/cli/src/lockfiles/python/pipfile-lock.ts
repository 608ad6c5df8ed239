/**
 * Pipfile.lock: each entry of `default` and `develop` pinned `==version`, as the files of that version
 * matching its `hashes` (it names no files, as with pip --hash); git and URL entries refused, paths skipped.
 */
import type { LockfileFormat } from '../lockfile-format.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { arrayOf, parseLockJson, stringOf, tableOf } from './lock-text.js'
import { parseHashes, releaseItem, unholdable } from './release-item.js'

export const pipfileLockFormat: LockfileFormat = {
  name: 'Pipfile.lock',
  byName: (name) => name === 'Pipfile.lock',
  byContent: (text) => text.trimStart().startsWith('{') && /"_meta"\s*:/.test(text) && /"pipfile-spec"\s*:/.test(text),
  read: (path, text) => readPipfileLock(path, text),
}

const SECTIONS = ['default', 'develop'] as const

export function readPipfileLock(path: string, text: string): ReadLockfile {
  const doc = tableOf(parseLockJson(path, text))
  if (!doc || !tableOf(doc._meta)) throw new Error(`${path} has no "_meta": not a Pipfile.lock`)
  const items: LockedItem[] = []
  let skipped = 0
  for (const section of SECTIONS) {
    for (const [name, entry] of Object.entries(tableOf(doc[section]) ?? {})) {
      const item = toItem(`${path} (${section}.${name})`, name, tableOf(entry) ?? {})
      if (item) items.push(item)
      else skipped++
    }
  }
  return { path, format: 'Pipfile.lock', items, skipped }
}

/** undefined for an entry that needs nothing from an index (a local path or file). */
function toItem(source: string, name: string, entry: Record<string, unknown>): LockedItem | undefined {
  const written = stringOf(entry.version) ?? ''
  const git = stringOf(entry.git) ?? stringOf(entry.hg) ?? stringOf(entry.svn) ?? stringOf(entry.bzr)
  if (git) return unholdable(source, name, written, `a VCS checkout of ${git}: Larder can hold only what an index lists`)
  if (entry.path !== undefined) return undefined
  const file = stringOf(entry.file)
  if (file !== undefined) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file) && !file.startsWith('file:')) {
      return unholdable(source, name, written, `a direct reference to ${file}: Larder can hold only what an index lists`)
    }
    return undefined
  }
  // pipenv writes "==1.2.3" (or "===" for arbitrary equality); anything else is a range.
  const version = /^===?\s*([^\s,;]+)$/.exec(written.trim())?.[1]
  if (!version) return unholdable(source, name, written, `"${written || '*'}" is not pinned: larder needs "version": "==x.y" as pipenv lock writes`)
  const hashes = parseHashes(arrayOf(entry.hashes))
  if (typeof hashes === 'string') return unholdable(source, name, version, hashes)
  return releaseItem({ source, name, version, hashes })
}
