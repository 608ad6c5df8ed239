/** Parses a request path under the gems prefix into what it asks for; every name in it is validated. */
import { LarderError } from '@larder/core'

export type GemPath =
  | { kind: 'root' }
  | { kind: 'versions' }
  | { kind: 'names' }
  | { kind: 'info'; name: string }
  | { kind: 'legacy-specs'; file: LegacySpecsFile }
  | { kind: 'quick-spec'; stem: string }
  | { kind: 'gem'; filename: string }
  | { kind: 'dependencies' }
  | { kind: 'push' }
  | { kind: 'yank' }

export const LEGACY_SPECS_FILES = [
  'specs.4.8.gz',
  'latest_specs.4.8.gz',
  'prerelease_specs.4.8.gz',
  'specs.4.8',
  'latest_specs.4.8',
  'prerelease_specs.4.8',
] as const
export type LegacySpecsFile = (typeof LEGACY_SPECS_FILES)[number]

/** rubygems.org's rule (Gem::Specification::VALID_NAME_PATTERN), plus a length cap and a leading letter or digit. */
export const GEM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
/** `<name>-<version>[-<platform>]`, the stem of .gem and .gemspec.rz files. */
export const GEM_STEM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/

export function parseGemName(text: string): string {
  if (!GEM_NAME_PATTERN.test(text)) throw new LarderError('E_INVALID_NAME', `invalid gem name "${text.slice(0, 80)}"`)
  return text
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch (cause) {
    throw new LarderError('E_BAD_REQUEST', `malformed percent-encoding in "${raw.slice(0, 80)}"`, { cause })
  }
}

function stemOf(file: string, suffix: string, what: string): string {
  const stem = file.slice(0, -suffix.length)
  if (!GEM_STEM_PATTERN.test(stem) || stem.includes('..')) throw new LarderError('E_INVALID_NAME', `invalid ${what} name "${file.slice(0, 80)}"`)
  return stem
}

/** `rawPath` is the undecoded path after the prefix, e.g. '/info/rack'. */
export function parseGemPath(rawPath: string): GemPath {
  const segments = rawPath.replace(/^\/+/, '').split('/').map(decodeSegment)
  if (segments.some((s) => s === '..' || s === '.' || s.includes('/') || s.includes('\\') || s.includes('\0'))) {
    throw new LarderError('E_INVALID_NAME', 'the path must not contain dot segments or encoded separators')
  }
  const joined = segments.join('/')
  if (joined === '') return { kind: 'root' }
  if (joined === 'versions') return { kind: 'versions' }
  if (joined === 'names') return { kind: 'names' }
  if (segments[0] === 'info' && segments.length === 2) return { kind: 'info', name: parseGemName(segments[1]!) }
  if ((LEGACY_SPECS_FILES as readonly string[]).includes(joined)) return { kind: 'legacy-specs', file: joined as LegacySpecsFile }
  if (segments[0] === 'quick' && segments[1] === 'Marshal.4.8' && segments.length === 3 && segments[2]!.endsWith('.gemspec.rz')) {
    return { kind: 'quick-spec', stem: stemOf(segments[2]!, '.gemspec.rz', 'gemspec') }
  }
  if (segments[0] === 'gems' && segments.length === 2 && segments[1]!.endsWith('.gem')) {
    return { kind: 'gem', filename: `${stemOf(segments[1]!, '.gem', '.gem file')}.gem` }
  }
  if (joined === 'api/v1/dependencies' || joined === 'api/v1/dependencies.json') return { kind: 'dependencies' }
  if (joined === 'api/v1/gems') return { kind: 'push' }
  if (joined === 'api/v1/gems/yank') return { kind: 'yank' }
  throw new LarderError('E_NOT_FOUND', `no such RubyGems endpoint: /${joined.slice(0, 120)}`)
}

/**
 * The ways a file stem splits into a gem name and `version[-platform]`: names may hold dashes, so
 * every dash followed by a digit is a candidate, shortest name first (the usual case is one).
 */
export function stemCandidates(stem: string): { name: string; number: string }[] {
  const out: { name: string; number: string }[] = []
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    const name = stem.slice(0, i)
    const number = stem.slice(i + 1)
    if (/^\d/.test(number) && GEM_NAME_PATTERN.test(name)) out.push({ name, number })
  }
  return out
}
