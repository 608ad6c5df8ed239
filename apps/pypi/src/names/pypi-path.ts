/** Parses the path after the app's prefix, exactly as sent, into a route; names and files are checked before any lookup. */
import { LarderError } from '@larder/core'
import { isSafeFilename } from './dist-filename.js'
import { parseProjectName } from './project-name.js'

export type PypiPath =
  | { kind: 'upload' }
  | { kind: 'simple-root'; trailingSlash: boolean }
  | { kind: 'project'; raw: string; trailingSlash: boolean }
  | { kind: 'file'; project: string; sha256: string; filename: string; metadata: boolean }
  | { kind: 'unknown' }

const SHA256_SEGMENT = /^([0-9a-f]{64}|-)$/
export const METADATA_SUFFIX = '.metadata'

function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw)
  } catch (cause) {
    throw new LarderError('E_INVALID_NAME', `the ${what} is not valid percent-encoding`, { cause })
  }
}

export function parsePypiPath(path: string): PypiPath {
  if (path === '' || path === '/') return { kind: 'upload' }
  const segments = path.slice(1).split('/')
  const trailingSlash = path.endsWith('/')
  if (trailingSlash) segments.pop()
  if (segments[0] === 'simple') {
    if (segments.length === 1) return { kind: 'simple-root', trailingSlash }
    if (segments.length === 2) return { kind: 'project', raw: segments[1]!, trailingSlash }
    throw new LarderError('E_INVALID_NAME', 'a project name cannot contain "/"')
  }
  if (segments[0] === 'files' && !trailingSlash) {
    if (segments.length !== 4) throw new LarderError('E_INVALID_NAME', 'file URLs are /files/<project>/<sha256>/<filename>')
    const project = parseProjectName(segments[1]!)
    if (project.normalized !== project.name) throw new LarderError('E_INVALID_NAME', `file URLs use the normalized project name ${project.normalized}`)
    const sha256 = decodeSegment(segments[2]!, 'hash')
    if (!SHA256_SEGMENT.test(sha256)) throw new LarderError('E_INVALID_NAME', 'the hash segment must be a lowercase hex sha256 or "-"')
    let filename = decodeSegment(segments[3]!, 'file name')
    const metadata = filename.endsWith(METADATA_SUFFIX) && !filename.endsWith(`-${METADATA_SUFFIX}`)
    if (metadata) filename = filename.slice(0, -METADATA_SUFFIX.length)
    if (!isSafeFilename(filename)) throw new LarderError('E_INVALID_NAME', `"${filename.slice(0, 80)}" is not a valid file name`)
    return { kind: 'file', project: project.normalized, sha256, filename, metadata }
  }
  return { kind: 'unknown' }
}
