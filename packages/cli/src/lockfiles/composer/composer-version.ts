/**
 * Composer's normalized version (VersionParser::normalize, the parts a lockfile's versions use): what
 * Composer puts for `%version%` in a dist mirror URL such as Larder's `/dists/%package%/%version%/...`.
 */
import { createHash } from 'node:crypto'

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?'
const CLASSIC = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i')
const DATED = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i')
const BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/

const STABILITY: Record<string, string> = { a: 'alpha', alpha: 'alpha', b: 'beta', beta: 'beta', p: 'patch', pl: 'patch', patch: 'patch', rc: 'RC' }

export function normalizeComposerVersion(pretty: string): string {
  // "1.0.0 as 1.0.1" aliases and "+build" metadata do not take part.
  const version = pretty
    .replace(/^([^,\s]+) +as +[^,\s]+$/, '$1')
    .replace(/\+[^\s]+$/, '')
    .trim()
  if (/^dev-/i.test(version)) return `dev-${version.slice(4)}`
  let m = CLASSIC.exec(version)
  if (m) return withModifiers(`${m[1]}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`, m[5], m[6], m[7])
  m = DATED.exec(version)
  if (m) return withModifiers(m[1]!.replace(/\D/g, '.'), m[2], m[3], m[4])
  const branch = /^(.*?)[.-]?dev$/i.exec(version)
  if (branch) {
    const numbered = BRANCH.exec(branch[1]!)
    if (numbered) {
      let out = ''
      for (let i = 1; i < 5; i++) out += numbered[i] ? numbered[i]!.replace(/[*X]/g, 'x') : '.x'
      return `${out.replace(/x/g, '9999999')}-dev`
    }
    return `dev-${branch[1]}`
  }
  return version
}

function withModifiers(base: string, stability: string | undefined, number: string | undefined, dev: string | undefined): string {
  let out = base
  if (stability) {
    if (stability.toLowerCase() === 'stable') return out
    out += `-${STABILITY[stability.toLowerCase()] ?? stability}${number ? number.replace(/^[.-]+/, '') : ''}`
  }
  if (dev) out += '-dev'
  return out
}

/** Branch versions live in the `~dev` p2 file. */
export function isDevVersion(normalized: string): boolean {
  return normalized.startsWith('dev-') || normalized.endsWith('-dev')
}

/** As ComposerMirror::processUrl does: a version with "/" (a branch name) becomes its md5, so it stays one segment. */
export function versionSegment(normalized: string): string {
  return normalized.includes('/') ? createHash('md5').update(normalized).digest('hex') : normalized
}
