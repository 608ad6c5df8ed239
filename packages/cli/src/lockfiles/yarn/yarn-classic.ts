/**
 * yarn classic's yarn.lock (v1), parsed with yarn's own grammar (@yarnpkg/parsers), which gives each
 * `"a@^1", a@~1.2:` range its own copy of the entry they share.
 */
import { createRequire } from 'node:module'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { dedupeItems, defaultTarball, GIT_SPEC, integrityDigests, npmItem, registryTarball, splitAtName } from '../pnpm/npm-items.js'

interface ClassicEntry {
  version?: string
  resolved?: string
  integrity?: string
}

// Loaded on first use: the server carries the lockfile readers for /-/api/prefetch, and most never read a yarn.lock.
const require = createRequire(import.meta.url)
let parseSyml: typeof import('@yarnpkg/parsers').parseSyml | undefined

const LOCAL_RANGE = /^(file|link):/
const SHA1_HEX = /^[0-9a-f]{40}$/

export function readClassicLock(path: string, text: string): ReadLockfile {
  let parsed: Record<string, ClassicEntry>
  try {
    parseSyml ??= (require('@yarnpkg/parsers') as typeof import('@yarnpkg/parsers')).parseSyml
    parsed = parseSyml(text) as Record<string, ClassicEntry>
  } catch (cause) {
    throw new Error(`${path} is not a yarn lockfile: ${(cause as Error).message.split('\n')[0]}`)
  }
  const items: LockedItem[] = []
  const local = new Set<string>()
  for (const [descriptor, entry] of Object.entries(parsed)) {
    const split = splitAtName(descriptor)
    if (!split || typeof entry !== 'object' || entry === null) throw new Error(`${path}: "${descriptor}" is not a yarn lockfile entry`)
    let [name, range] = split
    // An alias locks "alias@npm:real@range": the registry knows it by the real name.
    const alias = /^npm:(.+)$/.exec(range)
    if (alias) [name, range] = splitAtName(alias[1]!) ?? [alias[1]!, '']
    const version = entry.version ?? ''
    // Ranges sharing one entry are counted once.
    if (LOCAL_RANGE.test(range) || entry.resolved?.startsWith('file:')) local.add(`${name}@${version}`)
    else items.push(toItem(`${path} (${descriptor})`, name, range, entry))
  }
  return { path, format: 'yarn.lock (v1)', items: dedupeItems(items), skipped: local.size }
}

function toItem(source: string, name: string, range: string, entry: ClassicEntry): LockedItem {
  const version = entry.version ?? ''
  if (GIT_SPEC.test(range)) return npmItem(source, name, version, { problem: `a git dependency (${range}): Larder mirrors registries only` })
  if (!entry.resolved) return npmItem(source, name, version, defaultTarball(name, version), integrityDigests(entry.integrity))
  const expected = integrityDigests(entry.integrity)
  // yarn appends the registry's sha1 of the tarball as the URL's fragment: older lockfiles have no other digest.
  const hash = entry.resolved.indexOf('#')
  const fragment = hash < 0 ? '' : entry.resolved.slice(hash + 1).toLowerCase()
  if (SHA1_HEX.test(fragment) && expected.sha1 === undefined) expected.sha1 = fragment
  return npmItem(source, name, version, registryTarball(entry.resolved), expected)
}
