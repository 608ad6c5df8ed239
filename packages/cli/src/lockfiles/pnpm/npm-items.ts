/**
 * Locked npm packages as package-lock.json's reader shapes them (packument, tarball path on the npm
 * mirror, integrity as digests), shared by the pnpm and yarn readers so prefetch, verify and export treat all alike.
 */
import { parseIntegrity } from '@larder/core'
import type { Digests } from '../digests.js'
import type { LockedItem } from '../locked-item.js'
import { NPM_PACKUMENT_ACCEPT } from '../npm/package-lock.js'

export const GIT_SPEC = /^git(\+[a-z]+)?:|^(github|gitlab|bitbucket):/
const PLAIN_VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/

/** Where an entry's tarball is: its file name on the registry, or why Larder cannot hold it. */
export type TarballFile = string | { problem: string }

/** A registry package: its packument, and its tarball at the path the npm mirror serves it on. */
export function npmItem(source: string, name: string, version: string, file: TarballFile, expected: Digests = {}): LockedItem {
  const base = { ecosystem: 'npm' as const, source, name, version, indexes: [], artifacts: [] }
  if (typeof file !== 'string') return { ...base, problem: file.problem }
  const encoded = name.startsWith('@') ? name.replace('/', '%2f') : name
  return {
    ...base,
    indexes: [{ path: `/npm/${encoded}`, accept: NPM_PACKUMENT_ACCEPT }],
    artifacts: [{ path: `/npm/${name}/-/${encodeURIComponent(file)}`, expected }],
  }
}

/** An SRI string (`sha512-…`, possibly several) as hex digests by algorithm. */
export function integrityDigests(sri: string | undefined): Record<string, string> {
  return parseIntegrity(sri) as Record<string, string>
}

/** Registry tarballs live at <registry>/<name>/-/<file>.tgz, whichever registry wrote the lockfile. */
export function registryTarball(resolved: string): TarballFile {
  if (GIT_SPEC.test(resolved)) return { problem: `a git dependency (${resolved}): Larder mirrors registries only` }
  let url: URL
  try {
    url = new URL(resolved)
  } catch {
    return { problem: `the tarball is not a URL: ${resolved}` }
  }
  const match = /\/-\/([^/]+\.tgz)$/.exec(url.pathname)
  if ((url.protocol === 'http:' || url.protocol === 'https:') && match) return decodeURIComponent(match[1]!)
  return { problem: `not a registry tarball (${resolved}): Larder mirrors registries only` }
}

/** The file name the registry gives `name@version` (`util-1.0.0.tgz` for `@e2e/util`), when the lockfile names no URL. */
export function defaultTarball(name: string, version: string): TarballFile {
  if (!PLAIN_VERSION.test(version)) return { problem: `no tarball URL and "${version}" is not a registry version` }
  return `${name.split('/').pop()}-${version}.tgz`
}

/** `name@rest` split at the `@` after the name (a scope's leading `@` is part of the name). */
export function splitAtName(spec: string): [name: string, rest: string] | undefined {
  const at = spec.indexOf('@', 1)
  if (at <= 0) return undefined
  return [spec.slice(0, at), spec.slice(at + 1)]
}

/** One item per package, version and file: a package locked under many ranges or peer sets is fetched once. */
export function dedupeItems(items: readonly LockedItem[]): LockedItem[] {
  const unique = new Map<string, LockedItem>()
  for (const item of items) {
    const key = `${item.name}@${item.version} ${item.artifacts[0]?.path ?? item.problem}`
    if (!unique.has(key)) unique.set(key, item)
  }
  return [...unique.values()]
}
