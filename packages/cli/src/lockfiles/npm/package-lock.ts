/**
 * npm's package-lock.json and npm-shrinkwrap.json, lockfileVersion 1 (the nested `dependencies` tree),
 * 2 (both forms: the `packages` map is read) and 3 (`packages` only).
 */
import { integrityExpectation } from '../digests.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'

/** What npm sends for a packument: the abbreviated form, which Larder derives and stores with the full one. */
export const NPM_PACKUMENT_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*'

interface PackagesEntry {
  name?: string
  version?: string
  resolved?: string
  integrity?: string
  link?: boolean
  inBundle?: boolean
}

interface V1Entry {
  version?: string
  resolved?: string
  integrity?: string
  bundled?: boolean
  dependencies?: Record<string, V1Entry>
}

interface PackageLock {
  lockfileVersion?: number
  packages?: Record<string, PackagesEntry>
  dependencies?: Record<string, V1Entry>
}

/** One locked npm package before it becomes an item. */
interface NpmEntry {
  where: string
  name: string
  version: string | undefined
  resolved: string | undefined
  integrity: string | undefined
}

export function readPackageLock(path: string, text: string): ReadLockfile {
  let lock: PackageLock
  try {
    lock = JSON.parse(text) as PackageLock
  } catch (cause) {
    throw new Error(`${path} is not JSON: ${(cause as Error).message}`)
  }
  const version = lock.lockfileVersion
  if (version !== 1 && version !== 2 && version !== 3) throw new Error(`${path}: lockfileVersion ${version} is not one of 1, 2, 3`)
  const found: NpmEntry[] = []
  let skipped = 0
  const count = (entry: NpmEntry | 'skip') => (entry === 'skip' ? skipped++ : found.push(entry))
  if (lock.packages) {
    for (const [where, entry] of Object.entries(lock.packages)) count(fromPackagesEntry(where, entry))
  } else {
    walkV1(lock.dependencies ?? {}, 'dependencies', count)
  }
  const items = new Map<string, LockedItem>()
  for (const entry of found) {
    const item = toItem(path, entry)
    // One package at one version is often locked at many places in the tree: it is fetched once.
    const key = `${item.name}@${item.version} ${item.artifacts[0]?.path ?? item.problem}`
    if (!items.has(key)) items.set(key, item)
  }
  return { path, format: `package-lock (v${version})`, items: [...items.values()], skipped }
}

function fromPackagesEntry(where: string, entry: PackagesEntry): NpmEntry | 'skip' {
  // "" is the project itself; paths without node_modules/ are workspace folders; links point at them.
  const at = where.lastIndexOf('node_modules/')
  if (at < 0 || entry.link || entry.inBundle) return 'skip'
  if (entry.resolved?.startsWith('file:')) return 'skip'
  const name = entry.name ?? where.slice(at + 'node_modules/'.length)
  return { where, name, version: entry.version, resolved: entry.resolved, integrity: entry.integrity }
}

function walkV1(deps: Record<string, V1Entry>, where: string, count: (entry: NpmEntry | 'skip') => void): void {
  for (const [key, entry] of Object.entries(deps)) {
    const at = `${where} > ${key}`
    // Bundled dependencies arrive inside their parent's tarball.
    if (entry.bundled || entry.version?.startsWith('file:')) count('skip')
    else {
      // An alias locks "npm:<real name>@<version>" under the alias's key.
      const alias = /^npm:((?:@[^/]+\/)?[^@]+)@(.+)$/.exec(entry.version ?? '')
      const name = alias ? alias[1]! : key
      const version = alias ? alias[2]! : entry.version
      count({ where: at, name, version, resolved: entry.resolved, integrity: entry.integrity })
    }
    if (entry.dependencies) walkV1(entry.dependencies, at, count)
  }
}

const GIT_SPEC = /^git(\+[a-z]+)?:|^(github|gitlab|bitbucket):/
const PLAIN_VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/

function toItem(lockfile: string, entry: NpmEntry): LockedItem {
  const { name, version = '' } = entry
  const base = { ecosystem: 'npm' as const, source: `${lockfile} (${entry.where})`, name, version, indexes: [], artifacts: [] }
  const file = tarballFile(entry)
  if (typeof file !== 'string') return { ...base, problem: file.problem }
  const encoded = name.startsWith('@') ? name.replace('/', '%2f') : name
  return {
    ...base,
    indexes: [{ path: `/npm/${encoded}`, accept: NPM_PACKUMENT_ACCEPT }],
    artifacts: [{ path: `/npm/${name}/-/${encodeURIComponent(file)}`, ...integrityExpectation(entry.integrity) }],
  }
}

/** The tarball's file name on the registry, or why the entry is not a registry package Larder can hold. */
function tarballFile(entry: NpmEntry): string | { problem: string } {
  const { resolved, version } = entry
  const git = [resolved, version].find((value) => value !== undefined && GIT_SPEC.test(value))
  if (git) return { problem: `a git dependency (${git}): Larder mirrors registries only` }
  if (resolved) {
    let url: URL
    try {
      url = new URL(resolved)
    } catch {
      return { problem: `"resolved" is not a URL: ${resolved}` }
    }
    // Registry tarballs live at <registry>/<name>/-/<file>.tgz, whichever registry wrote the lockfile.
    const match = /\/-\/([^/]+\.tgz)$/.exec(url.pathname)
    if ((url.protocol === 'http:' || url.protocol === 'https:') && match) return decodeURIComponent(match[1]!)
    return { problem: `not a registry tarball (${resolved}): Larder mirrors registries only` }
  }
  // npm with omit-lockfile-registry-resolved writes no URL: the registry's default file name applies.
  if (!version || !PLAIN_VERSION.test(version)) return { problem: `no "resolved" URL and "${version}" is not a registry version` }
  return `${entry.name.split('/').pop()}-${version}.tgz`
}
