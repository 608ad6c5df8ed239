/**
 * pnpm-lock.yaml, lockfileVersion 6.x (`/name@version(peers)` keys) to 9.x (`name@version` keys in
 * `packages:`, the peer variants in `snapshots:`, which add no file to fetch).
 */
import { parseLimitedYaml } from '@larder/core'
import type { LockfileFormat } from '../lockfile-format.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { dedupeItems, defaultTarball, integrityDigests, npmItem, registryTarball, splitAtName } from './npm-items.js'

/** Well past the biggest monorepo lockfiles; a bound all the same, as the YAML is built in memory. */
const MAX_LOCKFILE_BYTES = 256 * 1024 * 1024

interface Resolution {
  integrity?: string
  tarball?: string
  type?: string
  directory?: string
  repo?: string
  commit?: string
}

interface PnpmPackage {
  resolution?: Resolution
  name?: string
  version?: string
}

type ImporterDeps = Record<string, { version?: string } | string>

interface Importer {
  dependencies?: ImporterDeps
  devDependencies?: ImporterDeps
  optionalDependencies?: ImporterDeps
}

interface PnpmLock extends Importer {
  lockfileVersion?: string
  importers?: Record<string, Importer>
  packages?: Record<string, PnpmPackage>
}

export const pnpmLockFormat: LockfileFormat = {
  name: 'pnpm',
  byName: (name) => name === 'pnpm-lock.yaml',
  byContent: (text) => /^lockfileVersion: *['"]?\d+\.\d+['"]? *$/m.test(text) && /^(packages|importers|dependencies):/m.test(text),
  read: (path, text) => readPnpmLock(path, text),
}

export function readPnpmLock(path: string, text: string): ReadLockfile {
  // failsafe: every scalar stays a string, so lockfileVersion 9.0 and versions like 1.10 read as written.
  const lock = (parseLimitedYaml(text, { label: path, maxBytes: MAX_LOCKFILE_BYTES, schema: 'failsafe' }) ?? {}) as PnpmLock
  if (typeof lock !== 'object' || Array.isArray(lock)) throw new Error(`${path} is not a pnpm lockfile (not a YAML mapping)`)
  const version = String(lock.lockfileVersion ?? '')
  if (!/^[6-9]\.\d+$/.test(version)) throw new Error(`${path}: lockfileVersion ${version || '(none)'} is not one of 6.x to 9.x`)
  // Links (workspace packages, link: paths) are listed only in the importers: nothing to fetch.
  let skipped = linkCount(lock.importers ?? { '.': lock })
  const items: LockedItem[] = []
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    const item = toItem(path, key, entry ?? {})
    if (item === 'skip') skipped++
    else items.push(item)
  }
  return { path, format: `pnpm-lock (v${version})`, items: dedupeItems(items), skipped }
}

function linkCount(importers: Record<string, Importer>): number {
  let links = 0
  for (const importer of Object.values(importers)) {
    for (const deps of [importer?.dependencies, importer?.devDependencies, importer?.optionalDependencies]) {
      for (const dep of Object.values(deps ?? {})) {
        const version = typeof dep === 'string' ? dep : dep?.version
        if (version?.startsWith('link:')) links++
      }
    }
  }
  return links
}

/** `/name@1.0.0(peer@2.0.0)` (v6) or `name@1.0.0` (v9) as name and version; keys of other sources may be neither. */
function parseKey(key: string): { name?: string; version?: string } {
  const bare = key.replace(/^\//, '')
  const paren = bare.indexOf('(')
  const split = splitAtName(paren > 0 ? bare.slice(0, paren) : bare)
  return split ? { name: split[0], version: split[1] } : {}
}

function toItem(lockfile: string, key: string, entry: PnpmPackage): LockedItem | 'skip' {
  const resolution = entry.resolution ?? {}
  // Folders and tarballs on disk (file:) need nothing from a registry.
  if (resolution.directory !== undefined || resolution.type === 'directory' || resolution.tarball?.startsWith('file:')) return 'skip'
  const fromKey = parseKey(key)
  const name = entry.name ?? fromKey.name ?? key
  const version = entry.version ?? fromKey.version ?? ''
  const source = `${lockfile} (${key})`
  // GitHub shorthands lock as a codeload tarball under a `github.com/owner/repo/commit` key.
  if (resolution.type === 'git' || resolution.repo !== undefined || /^https:\/\/codeload\.github\.com\//.test(resolution.tarball ?? '')) {
    const where = resolution.repo ? `${resolution.repo}#${resolution.commit ?? ''}` : (resolution.tarball ?? key)
    return npmItem(source, name, version, { problem: `a git dependency (${where}): Larder mirrors registries only` })
  }
  // pnpm writes a tarball URL only when it is not the registry's usual one (or lockfile-include-tarball-url is set).
  if (resolution.tarball !== undefined) return npmItem(source, name, version, registryTarball(resolution.tarball), integrityDigests(resolution.integrity))
  if (resolution.integrity === undefined) return npmItem(source, name, version, { problem: `no resolution pnpm can fetch from a registry (${key})` })
  return npmItem(source, name, version, defaultTarball(name, version), integrityDigests(resolution.integrity))
}
