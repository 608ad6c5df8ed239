/**
 * What a path below /files names: the root, a directory or a file of a hosted repository, or a file of
 * an upstream. A first segment that names a configured upstream is remote; any other names a repository.
 */
import { checkRepositoryName, decodeSegments } from './path-segments.js'

export type FilesPath =
  /** `slash` false: `/files` itself. */
  | { kind: 'root'; slash: boolean }
  /** `slash` false: the URL lacks the '/' a directory URL ends with (`/files/builds`). */
  | { kind: 'hosted-dir'; repo: string; dir: readonly string[]; slash: boolean }
  | { kind: 'hosted-file'; repo: string; path: readonly string[] }
  | { kind: 'remote-dir'; upstream: string; dir: readonly string[] }
  | { kind: 'remote-file'; upstream: string; path: readonly string[] }

/** `rawPath` is the still-encoded path after the prefix ('' or '/...'). */
export function parseFilesPath(rawPath: string, upstreams: Readonly<Record<string, string>>): FilesPath {
  if (rawPath === '' || rawPath === '/') return { kind: 'root', slash: rawPath === '/' }
  const trimmed = rawPath.slice(1)
  const slash = trimmed.endsWith('/')
  const [first, ...rest] = decodeSegments(slash ? trimmed.slice(0, -1) : trimmed)
  const name = checkRepositoryName(first)
  if (Object.hasOwn(upstreams, name)) {
    return slash || rest.length === 0 ? { kind: 'remote-dir', upstream: name, dir: rest } : { kind: 'remote-file', upstream: name, path: rest }
  }
  if (slash || rest.length === 0) return { kind: 'hosted-dir', repo: name, dir: rest, slash }
  return { kind: 'hosted-file', repo: name, path: rest }
}

/** `builds/app/1.0.tgz`: how a file is named in messages, logs and listings. */
export function displayPath(repo: string, path: readonly string[]): string {
  return [repo, ...path].join('/')
}
