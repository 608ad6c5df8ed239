/** Distribution file names: safe as a URL segment, and parsed as a wheel or an sdist to tell project and version. */
import { normalizeProjectName } from './project-name.js'

export const MAX_FILENAME_LENGTH = 255
const SAFE_FILENAME = /^[A-Za-z0-9][A-Za-z0-9._+!~-]*$/
/** PEP 440 public version with optional local part (the `packaging` library's pattern). */
const PEP440 =
  /^v?(?:(?:[0-9]+)!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i
const WHEEL = /^([A-Za-z0-9_.]+?)-([^-]+)(?:-(\d[^-]*))?-([^-]+)-([^-]+)-([^-]+)\.whl$/
const SDIST_EXTENSIONS = ['.tar.gz', '.zip', '.tar.bz2', '.tgz']

export interface DistFilename {
  kind: 'wheel' | 'sdist'
  /** Normalized project name; for an sdist, only known when the caller gives the project. */
  project: string
  version: string
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
  if (wheel) return { kind: 'wheel', project: normalizeProjectName(wheel[1]!), version: wheel[2]! }
  const extension = SDIST_EXTENSIONS.find((ext) => filename.toLowerCase().endsWith(ext))
  if (!extension) return undefined
  const stem = filename.slice(0, -extension.length)
  const hyphens = [...stem.matchAll(/-/g)].map((m) => m.index!)
  for (const at of hyphens) {
    const name = normalizeProjectName(stem.slice(0, at))
    if (project === undefined ? at === hyphens[hyphens.length - 1] : name === project) {
      return { kind: 'sdist', project: name, version: stem.slice(at + 1) }
    }
  }
  return undefined
}

/** A version string derived from a listed file, for PEP 700 `versions` when upstream did not give them. */
export function versionOfFile(filename: string, project: string): string | undefined {
  return parseDistFilename(filename, project)?.version
}
