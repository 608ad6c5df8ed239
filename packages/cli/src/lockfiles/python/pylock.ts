/**
 * pylock.toml (PEP 751): each `[[packages]]` entry's sdist and wheels, by file name and hashes; VCS
 * checkouts and archive URLs are refused (no index lists them), local directories and files skipped.
 */
import type { LockfileFormat } from '../lockfile-format.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { versionOfFile } from '../pip/dist-filename.js'
import { arrayOf, parseLockToml, stringOf, tableOf } from './lock-text.js'
import { digestsOfTable, fileNameOf, type NamedFile, releaseItem, unholdable } from './release-item.js'

export const pylockFormat: LockfileFormat = {
  name: 'pylock.toml',
  // The spec's names: pylock.toml, or pylock.<name>.toml for one of several.
  byName: (name) => /^pylock\.([^.]+\.)?toml$/.test(name),
  // Both keys are required by the spec; poetry.lock has a lock-version too, but under [metadata] and no created-by.
  byContent: (text) => /^lock-version\s*=/m.test(text) && /^created-by\s*=/m.test(text),
  read: (path, text) => readPylock(path, text),
}

export function readPylock(path: string, text: string): ReadLockfile {
  const doc = parseLockToml(path, text)
  const lockVersion = stringOf(doc['lock-version'])
  if (lockVersion === undefined) throw new Error(`${path} has no lock-version: not a pylock.toml`)
  // The spec: a tool that does not support the major version MUST raise an error.
  if (lockVersion.split('.')[0] !== '1') throw new Error(`${path} is lock-version ${lockVersion}: larder reads pylock.toml version 1`)
  if (!Array.isArray(doc.packages)) throw new Error(`${path} has no [[packages]]: not a pylock.toml`)
  const items: LockedItem[] = []
  let skipped = 0
  doc.packages.forEach((entry, index) => {
    const item = toItem(`${path} (packages[${index}])`, tableOf(entry) ?? {})
    if (item) items.push(item)
    else skipped++
  })
  return { path, format: 'pylock.toml', items, skipped }
}

/** undefined for a package that needs nothing from an index (a local directory or file). */
function toItem(source: string, pkg: Record<string, unknown>): LockedItem | undefined {
  const name = stringOf(pkg.name) ?? ''
  const written = stringOf(pkg.version) ?? ''
  if (!name) return unholdable(source, '', written, 'a package without a name')
  const vcs = tableOf(pkg.vcs)
  if (vcs) {
    const url = stringOf(vcs.url)
    return url ? unholdable(source, name, written, `a ${stringOf(vcs.type) ?? 'VCS'} checkout of ${url}: Larder can hold only what an index lists`) : undefined
  }
  if (tableOf(pkg.directory)) return undefined
  const archive = tableOf(pkg.archive)
  if (archive) {
    const url = stringOf(archive.url)
    return url ? unholdable(source, name, written, `a direct reference to ${url}: Larder can hold only what an index lists`) : undefined
  }
  const entries = [...(tableOf(pkg.sdist) ? [pkg.sdist] : []), ...arrayOf(pkg.wheels)].map((file) => tableOf(file) ?? {})
  if (entries.length === 0) return unholdable(source, name, written, 'no sdist, wheels, archive, directory or VCS source: nothing to install')
  const files: NamedFile[] = []
  for (const file of entries) {
    const url = stringOf(file.url)
    // A file only on disk (a find-links directory at lock time) is not on the index.
    if (!url) continue
    const filename = stringOf(file.name) ?? fileNameOf(url)
    const digests = digestsOfTable(tableOf(file.hashes) ?? {})
    if (typeof digests === 'string') return unholdable(source, name, written, `${filename}: ${digests}`)
    files.push({ filename, digests })
  }
  if (files.length === 0) return undefined
  // The version is optional in the spec; a file's name carries it.
  const version = written || versionOfFile(files[0]!.filename, name)
  if (!version) return unholdable(source, name, '', `no version, and ${files[0]!.filename} does not name one of ${name}`)
  return releaseItem({ source, name, version, files })
}
