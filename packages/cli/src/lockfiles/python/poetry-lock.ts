/**
 * poetry.lock: each `[[package]]` from PyPI or a `legacy` source as exactly the files it lists with their
 * hashes (`files`, or `[metadata.files]` in lock-version 1); git and URL sources refused, local ones skipped.
 */
import type { LockfileFormat } from '../lockfile-format.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { versionOfFile } from '../pip/dist-filename.js'
import { normalizeName, sameVersion } from '../pip/pep440.js'
import { arrayOf, parseLockToml, stringOf, tableOf } from './lock-text.js'
import { digestsOf, type NamedFile, parseHashes, releaseItem, unholdable } from './release-item.js'

export const poetryLockFormat: LockfileFormat = {
  name: 'poetry.lock',
  byName: (name) => name === 'poetry.lock',
  byContent: (text) => /^\[\[package\]\]\s*$/m.test(text) && /^\[metadata\]\s*$/m.test(text) && /^content-hash\s*=/m.test(text),
  read: (path, text) => readPoetryLock(path, text),
}

export function readPoetryLock(path: string, text: string): ReadLockfile {
  const doc = parseLockToml(path, text)
  const metadata = tableOf(doc.metadata)
  if (!metadata) throw new Error(`${path} has no [metadata]: not a poetry.lock`)
  const lockVersion = stringOf(metadata['lock-version']) ?? ''
  if (!/^[12]\./.test(lockVersion)) throw new Error(`${path} is lock-version ${lockVersion || '(none)'}: larder reads poetry.lock versions 1 and 2`)
  // Lock-version 1 keeps the files apart, by package name.
  const oldFiles = new Map(Object.entries(tableOf(metadata.files) ?? {}).map(([name, files]) => [normalizeName(name), arrayOf(files)]))
  const items: LockedItem[] = []
  let skipped = 0
  arrayOf(doc.package).forEach((entry, index) => {
    const item = toItem(`${path} (package[${index}])`, tableOf(entry) ?? {}, oldFiles)
    if (item) items.push(item)
    else skipped++
  })
  return { path, format: 'poetry.lock', items, skipped }
}

/** undefined for a package that needs nothing from an index (a local directory or file). */
function toItem(source: string, pkg: Record<string, unknown>, oldFiles: Map<string, unknown[]>): LockedItem | undefined {
  const name = stringOf(pkg.name) ?? ''
  const version = stringOf(pkg.version) ?? ''
  if (!name) return unholdable(source, '', version, 'a package without a name')
  const from = tableOf(pkg.source)
  const type = stringOf(from?.type)
  const url = stringOf(from?.url) ?? '?'
  if (type === 'directory' || type === 'file') return undefined
  if (type === 'git') return unholdable(source, name, version, `a git checkout of ${url}: Larder can hold only what an index lists`)
  if (type === 'url') return unholdable(source, name, version, `a direct reference to ${url}: Larder can hold only what an index lists`)
  // No source is PyPI; `legacy` is a PEP 503 index given in pyproject.toml, which Larder stands in for.
  if (type !== undefined && type !== 'legacy') return unholdable(source, name, version, `a ${type} source at ${url}: Larder can hold only what an index lists`)
  if (!version) return unholdable(source, name, '', 'a package without a version')
  const listed = pkg.files !== undefined ? arrayOf(pkg.files) : (oldFiles.get(normalizeName(name)) ?? [])
  const files: NamedFile[] = []
  for (const file of listed.map((f) => tableOf(f) ?? {})) {
    const filename = stringOf(file.file)
    if (!filename) continue
    // [metadata.files] lists the files of every locked version of the name.
    const fileVersion = versionOfFile(filename, name)
    if (pkg.files === undefined && fileVersion !== undefined && !sameVersion(version, fileVersion)) continue
    const hashes = parseHashes(file.hash === undefined ? [] : [file.hash])
    if (typeof hashes === 'string') return unholdable(source, name, version, `${filename}: ${hashes}`)
    files.push({ filename, digests: digestsOf(hashes) })
  }
  return releaseItem({ source, name, version, files })
}
