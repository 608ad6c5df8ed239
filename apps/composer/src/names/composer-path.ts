/** Parses the path after the app's prefix, exactly as sent, into a route; names and dist segments are checked before any lookup. */
import { LarderError } from '@larder/core'
import { isPackageName } from './package-name.js'

export type ComposerPath =
  | { kind: 'root' }
  | { kind: 'p2'; name: string; dev: boolean }
  | { kind: 'dist'; name: string; version: string; reference: string; type: string }
  | { kind: 'upload' }
  | { kind: 'advisories' }
  | { kind: 'unknown' }

const P2_FILE = /^p2\/([^/]+\/[^/]+?)(~dev)?\.json$/
/** Composer md5()s a version containing "/" and a non-hex reference, so both segments are plain tokens. */
const VERSION_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/
const REFERENCE_SEGMENT = /^[a-f0-9]{0,64}$/
const TYPE_SEGMENT = /^[a-z0-9]{1,10}$/

export function parseComposerPath(path: string): ComposerPath {
  if (path === '' || path === '/' || path === '/packages.json') return { kind: 'root' }
  const rest = path.slice(1)
  if (rest === 'upload') return { kind: 'upload' }
  if (rest === 'api/security-advisories/' || rest === 'api/security-advisories') return { kind: 'advisories' }
  const p2 = P2_FILE.exec(rest)
  if (p2) {
    // Not on any upstream either: a quick 404 rather than a 400, which would abort the client's resolution.
    if (!isPackageName(p2[1]!)) throw new LarderError('E_NOT_FOUND', `"${p2[1]!.slice(0, 80)}" is not a Composer package name`)
    return { kind: 'p2', name: p2[1]!, dev: Boolean(p2[2]) }
  }
  if (rest.startsWith('dists/')) return parseDistPath(rest.slice('dists/'.length).split('/'))
  return { kind: 'unknown' }
}

function parseDistPath(segments: string[]): ComposerPath {
  if (segments.length !== 4) throw new LarderError('E_INVALID_NAME', 'dist URLs are /dists/<vendor>/<name>/<version>/<reference>.<type>')
  const [vendor, project, version, file] = segments as [string, string, string, string]
  const name = `${vendor}/${project}`
  if (!isPackageName(name)) throw new LarderError('E_INVALID_NAME', `"${name.slice(0, 80)}" is not a Composer package name`)
  if (!VERSION_SEGMENT.test(version)) throw new LarderError('E_INVALID_NAME', `"${version.slice(0, 80)}" is not a version segment`)
  const dot = file.lastIndexOf('.')
  const reference = dot < 0 ? '' : file.slice(0, dot)
  const type = file.slice(dot + 1)
  if (dot < 0 || !REFERENCE_SEGMENT.test(reference) || !TYPE_SEGMENT.test(type)) {
    throw new LarderError('E_INVALID_NAME', `"${file.slice(0, 80)}" is not <reference>.<type>`)
  }
  return { kind: 'dist', name, version, reference, type }
}
