/**
 * Bundler's Gemfile.lock: the gems of every `GEM` source (a `GIT` gem cannot be held, `PATH` gems are
 * local), with the sha256 of Bundler >= 2.5's CHECKSUMS section when the lockfile has one.
 */
import { fromAlgorithmHex, type Digests } from '../digests.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'

/** Bundler reads /versions first, then /info/<gem> of every gem it resolves. */
export const GEMS_VERSIONS = '/gems/versions'

/** `    name (version-platform)` at four spaces; six spaces are the gem's own dependencies. */
const SPEC = /^ {4}([^ (]+) \(([^-)]*)(?:-([^)]+))?\)$/
/** `  name (version-platform) sha256=<hex>[,algo=<hex>]` */
const CHECKSUM = /^ {2}([^ (]+) \(([^)]+)\)(?: (.+))?$/

interface Spec {
  name: string
  version: string
  platform: string | undefined
  line: number
  section: string
  remote: string | undefined
}

export function readGemfileLock(path: string, text: string): ReadLockfile {
  const specs: Spec[] = []
  const checksums = new Map<string, Digests>()
  let section = ''
  let remote: string | undefined
  let inSpecs = false
  text.split(/\r?\n/).forEach((line, index) => {
    if (/^[A-Z]/.test(line)) {
      section = line.trim()
      remote = undefined
      inSpecs = false
      return
    }
    if (section === 'CHECKSUMS') {
      const m = CHECKSUM.exec(line)
      if (m?.[3]) checksums.set(`${m[1]} (${m[2]})`, checksumDigests(m[3]))
      return
    }
    const remoteLine = /^ {2}remote: (.+)$/.exec(line)
    if (remoteLine) remote = remoteLine[1]!.trim()
    if (/^ {2}specs:$/.test(line)) inSpecs = true
    else if (/^ {2}\S/.test(line)) inSpecs = false
    const m = inSpecs ? SPEC.exec(line) : null
    if (m) specs.push({ name: m[1]!, version: m[2]!, platform: m[3], line: index + 1, section, remote })
  })
  if (!specs.length && !/^GEM$/m.test(text)) throw new Error(`${path} has no GEM section: not a Gemfile.lock`)
  let skipped = 0
  const items: LockedItem[] = []
  for (const spec of specs) {
    if (spec.section === 'PATH') {
      skipped++
      continue
    }
    items.push(toItem(path, spec, checksums.get(lockName(spec))))
  }
  return { path, format: checksums.size > 0 ? 'Gemfile.lock (with CHECKSUMS)' : 'Gemfile.lock', items, skipped }
}

function lockName(spec: Spec): string {
  return `${spec.name} (${spec.version}${spec.platform ? `-${spec.platform}` : ''})`
}

function checksumDigests(text: string): Digests {
  const out: Record<string, string> = {}
  for (const part of text.split(',')) {
    const digest = fromAlgorithmHex(part)
    if (digest) out[digest[0]] = digest[1]
  }
  return out
}

function toItem(lockfile: string, spec: Spec, expected: Digests | undefined): LockedItem {
  const base = { ecosystem: 'gems' as const, source: `${lockfile}:${spec.line}`, name: spec.name, version: spec.version, indexes: [], artifacts: [] }
  if (spec.section !== 'GEM') {
    return { ...base, problem: `from a ${spec.section} source (${spec.remote ?? 'no remote'}): Larder mirrors gem servers only` }
  }
  const platform = spec.platform && spec.platform !== 'ruby' ? `-${spec.platform}` : ''
  const file = `${spec.name}-${spec.version}${platform}.gem`
  return {
    ...base,
    version: `${spec.version}${platform}`,
    indexes: [{ path: GEMS_VERSIONS }, { path: `/gems/info/${spec.name}` }],
    artifacts: [{ path: `/gems/gems/${encodeURIComponent(file)}`, expected: expected ?? {} }],
  }
}
