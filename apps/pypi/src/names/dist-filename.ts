/** Distribution file names: safe as a URL segment, and parsed as a wheel or an sdist to tell project and version. */
import { normalizeVersion, versionIdentity } from './pep440.js'
import { normalizeProjectName } from './project-name.js'

export const MAX_FILENAME_LENGTH = 255
const SAFE_FILENAME = /^[A-Za-z0-9][A-Za-z0-9._+!~-]*$/
/** PEP 440 public version with optional local part (the `packaging` library's pattern). */
const PEP440 =
  /^v?(?:(?:[0-9]+)!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i
const WHEEL = /^([A-Za-z0-9_.]+?)-([^-]+)(?:-(\d[^-]*))?-([^-]+)-([^-]+)-([^-]+)\.whl$/
/** What upstream indexes list (old projects have .tar.bz2 and .tgz sdists). */
const SDIST_EXTENSIONS = ['.tar.gz', '.zip', '.tar.bz2', '.tgz']
/** What an upload may be: PEP 625 allows only these sdist formats. */
export const UPLOAD_SDIST_EXTENSIONS = ['.tar.gz', '.zip'] as const

export interface DistFilename {
  kind: 'wheel' | 'sdist'
  /** Normalized project name; for an sdist, only known when the caller gives the project. */
  project: string
  version: string
  /** Wheels: the build tag ('' when none) and the lowercase tag triple, e.g. "py3-none-any". */
  build?: string
  tags?: string
  /** Sdists: the archive extension, e.g. ".tar.gz". */
  extension?: string
}

/** A file name that is one plain path segment: no separators, no dot segments, nothing that needs escaping. */
export function isSafeFilename(filename: string): boolean {
  return filename.length <= MAX_FILENAME_LENGTH && SAFE_FILENAME.test(filename) && !filename.includes('..')
}

export function isValidVersion(version: string): boolean {
  return version.length <= 128 && PEP440.test(version)
}

/**
 * Parses per the binary distribution format (wheels) and PEP 625 (sdists). An sdist's name and version
 * are split at the hyphen that leaves a name normalizing to `project` (old sdists have hyphens in names).
 */
export function parseDistFilename(filename: string, project?: string): DistFilename | undefined {
  if (!isSafeFilename(filename)) return undefined
  const wheel = WHEEL.exec(filename)
  if (wheel) {
    const tags = `${wheel[4]}-${wheel[5]}-${wheel[6]}`.toLowerCase()
    return { kind: 'wheel', project: normalizeProjectName(wheel[1]!), version: wheel[2]!, build: wheel[3] ?? '', tags }
  }
  const extension = SDIST_EXTENSIONS.find((ext) => filename.toLowerCase().endsWith(ext))
  if (!extension) return undefined
  const stem = filename.slice(0, -extension.length)
  const hyphens = [...stem.matchAll(/-/g)].map((m) => m.index!)
  for (const at of hyphens) {
    const name = normalizeProjectName(stem.slice(0, at))
    if (project === undefined ? at === hyphens[hyphens.length - 1] : name === project) {
      return { kind: 'sdist', project: name, version: stem.slice(at + 1), extension }
    }
  }
  return undefined
}

/**
 * The file name the binary distribution format prescribes for this wheel: name normalized with "_",
 * version normalized (PEP 440). PyPI refuses wheels named otherwise, so Larder does too.
 */
export function normalizedWheelFilename(filename: string): string | undefined {
  const wheel = WHEEL.exec(filename)
  if (!wheel) return undefined
  const version = normalizeVersion(wheel[2]!.replace(/_/g, '-'))
  if (!version) return undefined
  const name = normalizeProjectName(wheel[1]!).replace(/-/g, '_')
  return `${name}-${version}${wheel[3] ? `-${wheel[3]}` : ''}-${wheel[4]}-${wheel[5]}-${wheel[6]}.whl`
}

/** A version string derived from a listed file, for PEP 700 `versions` when upstream did not give them. */
export function versionOfFile(filename: string, project: string): string | undefined {
  return parseDistFilename(filename, project)?.version
}

/**
 * Equal for two files PyPI counts as the same one whatever their spelling: a release has one sdist, and
 * one wheel per build tag and tag triple. Release means project + PEP 440 version (1.0 is 1.0.0).
 */
export function releaseFileIdentity(filename: string, project: string): string | undefined {
  const parsed = parseDistFilename(filename, project)
  const version = parsed && versionIdentity(parsed.kind === 'wheel' ? parsed.version : parsed.version.replace(/_/g, '-'))
  if (!parsed || version === undefined) return undefined
  return parsed.kind === 'wheel' ? `${parsed.project} ${version} wheel ${parsed.build} ${parsed.tags}` : `${parsed.project} ${version} sdist`
}
