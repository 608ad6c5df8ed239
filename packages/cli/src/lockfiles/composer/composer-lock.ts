/**
 * composer.lock: every package of `packages` and `packages-dev` as the dist Composer downloads through
 * Larder's preferred mirror (`/composer/dists/%package%/%version%/%reference%.%type%`), checked against
 * the lockfile's `shasum` when it has one (packagist's are mostly empty), plus the p2 file.
 */
import { createHash } from 'node:crypto'
import type { Digests } from '../digests.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { isDevVersion, normalizeComposerVersion, versionSegment } from './composer-version.js'

export const COMPOSER_ROOT = '/composer/packages.json'

interface LockedPackage {
  name?: string
  version?: string
  dist?: { type?: string; url?: string; reference?: string | null; shasum?: string | null }
  source?: { type?: string; url?: string }
}

interface ComposerLock {
  packages?: LockedPackage[]
  'packages-dev'?: LockedPackage[]
}

export function readComposerLock(path: string, text: string): ReadLockfile {
  let lock: ComposerLock
  try {
    lock = JSON.parse(text) as ComposerLock
  } catch (cause) {
    throw new Error(`${path} is not JSON: ${(cause as Error).message}`)
  }
  if (!Array.isArray(lock.packages)) throw new Error(`${path} has no "packages" list: not a composer.lock`)
  const items: LockedItem[] = []
  let skipped = 0
  for (const [list, packages] of [
    ['packages', lock.packages],
    ['packages-dev', lock['packages-dev'] ?? []],
  ] as const) {
    packages.forEach((pkg, index) => {
      // Path repositories are part of the checkout.
      if (pkg.dist?.type === 'path') skipped++
      else items.push(toItem(`${path} (${list}[${index}])`, pkg))
    })
  }
  return { path, format: 'composer.lock', items, skipped }
}

function toItem(source: string, pkg: LockedPackage): LockedItem {
  const name = pkg.name ?? ''
  const version = pkg.version ?? ''
  const base = { ecosystem: 'composer' as const, source, name, version, indexes: [], artifacts: [] }
  if (!/^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/.test(name)) return { ...base, problem: `"${name}" is not a Composer package name` }
  const dist = pkg.dist
  if (!dist?.type || !dist.url) {
    return { ...base, problem: `no dist, only a ${pkg.source?.type ?? 'source'} checkout (${pkg.source?.url ?? '?'}): Larder mirrors dists only` }
  }
  const normalized = normalizeComposerVersion(version)
  const reference = dist.reference ? (/^[a-f0-9]*$/.test(dist.reference) ? dist.reference : md5(dist.reference)) : ''
  const shasum: Digests = dist.shasum && /^[0-9a-f]{40}$/i.test(dist.shasum) ? { sha1: dist.shasum.toLowerCase() } : {}
  const p2 = `/composer/p2/${name}${isDevVersion(normalized) ? '~dev' : ''}.json`
  return {
    ...base,
    indexes: [{ path: COMPOSER_ROOT }, { path: p2 }],
    artifacts: [{ path: `/composer/dists/${name}/${encodeURIComponent(versionSegment(normalized))}/${reference}.${dist.type}`, expected: shasum }],
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex')
}
