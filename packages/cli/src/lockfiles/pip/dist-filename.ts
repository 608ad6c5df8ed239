/** The project and version a distribution file's name gives (wheels, sdists), read as pip reads them. */
import { normalizeName } from './pep440.js'

const SDIST_EXTENSIONS = ['.tar.gz', '.tgz', '.zip', '.tar.bz2', '.tar.xz', '.tar']

/** The version part of `filename` when it is a file of `project`; undefined otherwise (another project, an egg, a stray file). */
export function versionOfFile(filename: string, project: string): string | undefined {
  const wanted = normalizeName(project)
  if (filename.endsWith('.whl')) {
    // name-version(-build)?-python-abi-platform.whl, with "-" in names escaped as "_".
    const parts = filename.slice(0, -4).split('-')
    if (parts.length < 5 || normalizeName(parts[0]!) !== wanted) return undefined
    return parts[1]
  }
  const extension = SDIST_EXTENSIONS.find((ext) => filename.toLowerCase().endsWith(ext))
  if (!extension) return undefined
  const stem = filename.slice(0, -extension.length)
  // Old sdists keep "-" in the name (foo-bar-1.0.tar.gz): try every split, as pip does; a version starts with a digit.
  for (let at = stem.indexOf('-'); at > 0; at = stem.indexOf('-', at + 1)) {
    const version = stem.slice(at + 1)
    if (normalizeName(stem.slice(0, at)) === wanted && /^v?\d/i.test(version)) return version
  }
  return undefined
}
