/**
 * yarn berry's yarn.lock (v2+): YAML whose entries name a `resolution` such as `a@npm:1.2.3`. Its
 * `checksum` hashes the zip yarn makes of the tarball, not the tarball: it proves nothing about the
 * bytes a registry serves, so berry items carry no digest and only presence can be checked.
 */
import { parseLimitedYaml } from '@larder/core'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { defaultTarball, npmItem, registryTarball, splitAtName, type TarballFile } from '../pnpm/npm-items.js'

const MAX_LOCKFILE_BYTES = 256 * 1024 * 1024

interface BerryEntry {
  version?: string
  resolution?: string
}

/** Protocols whose packages come from the project itself or from another locked entry (patch: wraps an npm: one). */
const LOCAL_PROTOCOLS = new Set(['workspace', 'patch', 'portal', 'link', 'file'])

export function readBerryLock(path: string, text: string): ReadLockfile {
  const lock = parseLimitedYaml(text, { label: path, maxBytes: MAX_LOCKFILE_BYTES, schema: 'failsafe' }) as Record<string, BerryEntry | undefined>
  if (typeof lock !== 'object' || lock === null || Array.isArray(lock)) throw new Error(`${path} is not a yarn lockfile (not a YAML mapping)`)
  const metadata = lock.__metadata as { version?: string } | undefined
  const items: LockedItem[] = []
  let skipped = 0
  for (const [descriptors, entry] of Object.entries(lock)) {
    if (descriptors === '__metadata') continue
    const item = toItem(`${path} (${descriptors})`, entry?.resolution ?? '')
    if (item === 'skip') skipped++
    else items.push(item)
  }
  return { path, format: `yarn.lock (berry, v${metadata?.version ?? '?'})`, items, skipped }
}

/** `@scope/name@npm:1.2.3::__archiveUrl=…` as name, protocol and what follows the protocol. */
function parseResolution(resolution: string): { name: string; protocol: string; rest: string } | undefined {
  const split = splitAtName(resolution)
  const protocol = split && /^([a-z][a-z0-9+.-]*):(.*)$/.exec(split[1])
  return protocol ? { name: split[0], protocol: protocol[1]!, rest: protocol[2]! } : undefined
}

function toItem(source: string, resolution: string): LockedItem | 'skip' {
  const parsed = parseResolution(resolution)
  if (!parsed) return npmItem(source, resolution, '', { problem: `"${resolution}" is not a resolution yarn writes` })
  const { name, protocol, rest } = parsed
  if (LOCAL_PROTOCOLS.has(protocol)) return 'skip'
  if (protocol !== 'npm') {
    const git = /^git/.test(protocol) || /^(github|gitlab|bitbucket)$/.test(protocol) || /\.git(#|$)/.test(rest)
    const why = git ? 'a git dependency' : `not a registry package (${protocol}:)`
    return npmItem(source, name, '', { problem: `${why} (${resolution}): Larder mirrors registries only` })
  }
  const [version = '', params = ''] = rest.split('::')
  // yarn keeps the tarball URL only when the registry's was not the usual <registry>/<name>/-/<file>.tgz.
  const archive = new URLSearchParams(params).get('__archiveUrl')
  const file: TarballFile = archive ? registryTarball(archive) : defaultTarball(name, version)
  return npmItem(source, name, version, file)
}
