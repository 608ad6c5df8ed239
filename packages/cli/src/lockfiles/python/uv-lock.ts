/**
 * uv.lock: each `[[package]]` from a registry as exactly the sdist and wheels it lists (file name from the
 * URL, its `hash`); git and URL sources are refused, the project itself and local paths skipped.
 */
import type { LockfileFormat } from '../lockfile-format.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { arrayOf, parseLockToml, stringOf, tableOf } from './lock-text.js'
import { digestsOf, fileNameOf, type NamedFile, parseHashes, releaseItem, unholdable } from './release-item.js'

export const uvLockFormat: LockfileFormat = {
  name: 'uv.lock',
  byName: (name) => name === 'uv.lock',
  // uv's top-level `version` is an integer; poetry.lock's versions are all strings inside [[package]].
  byContent: (text) => /^version\s*=\s*\d+\s*$/m.test(text) && /^\[\[package\]\]\s*$/m.test(text),
  read: (path, text) => readUvLock(path, text),
}

/** The lock versions uv has written so far (revisions within one are compatible). */
const UV_LOCK_VERSION = 1

export function readUvLock(path: string, text: string): ReadLockfile {
  const doc = parseLockToml(path, text)
  if (typeof doc.version !== 'number') throw new Error(`${path} has no version: not a uv.lock`)
  if (doc.version !== UV_LOCK_VERSION) throw new Error(`${path} is uv.lock version ${doc.version}: larder reads version ${UV_LOCK_VERSION}`)
  const items: LockedItem[] = []
  let skipped = 0
  arrayOf(doc.package).forEach((entry, index) => {
    const item = toItem(`${path} (package[${index}])`, tableOf(entry) ?? {})
    if (item) items.push(item)
    else skipped++
  })
  return { path, format: 'uv.lock', items, skipped }
}

/** undefined for a package that needs nothing from an index: the workspace's own projects, local paths. */
function toItem(source: string, pkg: Record<string, unknown>): LockedItem | undefined {
  const name = stringOf(pkg.name) ?? ''
  const version = stringOf(pkg.version) ?? ''
  const from = tableOf(pkg.source) ?? {}
  if (!name) return unholdable(source, '', version, 'a package without a name')
  if (from.editable !== undefined || from.virtual !== undefined || from.directory !== undefined || from.path !== undefined) return undefined
  const git = stringOf(from.git)
  if (git) return unholdable(source, name, version, `a git checkout of ${git}: Larder can hold only what an index lists`)
  const url = stringOf(from.url)
  if (url) return unholdable(source, name, version, `a direct reference to ${url}: Larder can hold only what an index lists`)
  const registry = stringOf(from.registry)
  if (registry === undefined) return unholdable(source, name, version, `a source larder does not know (${Object.keys(from).join(', ') || 'none'})`)
  // A find-links directory on disk (`registry = "../wheels"`) is not an index.
  if (!/^https?:\/\//i.test(registry)) return undefined
  if (!version) return unholdable(source, name, '', 'a registry package without a version')
  const files: NamedFile[] = []
  for (const file of [...(tableOf(pkg.sdist) ? [pkg.sdist] : []), ...arrayOf(pkg.wheels)].map((f) => tableOf(f) ?? {})) {
    const fileUrl = stringOf(file.url)
    if (!fileUrl) continue
    const filename = fileNameOf(fileUrl)
    // uv leaves the hash out where the index gives none.
    const hashes = parseHashes(file.hash === undefined ? [] : [file.hash])
    if (typeof hashes === 'string') return unholdable(source, name, version, `${filename}: ${hashes}`)
    files.push({ filename, digests: digestsOf(hashes) })
  }
  return releaseItem({ source, name, version, files })
}
