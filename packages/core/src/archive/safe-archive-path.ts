/** The one check every uploaded archive's entries pass: a relative path inside the package, and links that stay inside it. */
import { LarderError } from '../errors/index.js'

export type ArchiveEntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface ArchiveEntryFacts {
  kind: ArchiveEntryKind
  /** For links: the symlink's target (relative to its folder), or the hard link's archive path. */
  linkTarget?: string
}

export interface ArchivePathOptions {
  /** What the archive is, for messages: 'the published tarball'. */
  label: string
  /**
   * 'refuse' (the default): a symlink to an absolute path points outside the package.
   * 'root': it points into the package, whose root is the filesystem root (a .deb's data.tar).
   */
  absoluteLinks?: 'refuse' | 'root'
}

/** A refused entry; its own class so that readers which turn unreadable archives into "not found" still let this through. */
export class UnsafeArchiveEntryError extends LarderError {}

/** Names the entry and the reason; "unsafe" is the word clients' users search the message for. */
export function unsafeEntry(label: string, path: string, reason: string): LarderError {
  const shown = JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}...` : path)
  return new UnsafeArchiveEntryError('E_BAD_REQUEST', `${label} holds an unsafe entry ${shown}: ${reason}`, {
    hint: 'entries must be relative paths inside the package, and links must point inside it; rebuild the archive with the usual tool',
  })
}

/** Why `path` is no safe relative path, or undefined when it is one. */
function pathProblem(path: string): string | undefined {
  if (path === '') return 'it has an empty name'
  if (path.includes('\0')) return 'its name holds a NUL byte'
  // Windows unpackers split at backslashes, so "a\..\..\x" climbs there whatever it means here.
  if (path.includes('\\')) return 'its name holds a backslash'
  if (path.startsWith('/')) return 'it is an absolute path'
  if (/^[A-Za-z]:/.test(path)) return 'it starts with a Windows drive letter'
  if (path.split('/').includes('..')) return "it has a '..' segment"
  return undefined
}

/** `a/./b//c/` -> `a/b/c`: the path as an unpacker writes it. */
export function normalizeArchivePath(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/')
}

/**
 * Where a symlink at `path` (normalized) lands when its target is followed from its folder, as
 * segments from the package root; undefined when it climbs above the root. It treats every folder
 * on the way as a real one; ArchiveLinks follows links through other links.
 */
export function lexicalLinkDestination(path: string, target: string, absoluteLinks: 'refuse' | 'root'): string[] | undefined {
  const at = target.startsWith('/') && absoluteLinks === 'root' ? [] : path.split('/').slice(0, -1)
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment !== '..') at.push(segment)
    else if (at.length === 0) return undefined
    else at.pop()
  }
  return at
}

/**
 * Refuses an entry Larder must not store: an empty name, NUL, backslashes, absolute paths (also
 * Windows drive letters), '..' segments, symlinks whose target leaves the package, hard links to
 * unsafe paths. Returns the normalized path. Whole-archive link chains are ArchiveLinks' job.
 */
export function assertSafeArchivePath(path: string, entry: ArchiveEntryFacts, options: ArchivePathOptions): string {
  const problem = pathProblem(path)
  if (problem) throw unsafeEntry(options.label, path, problem)
  const normalized = normalizeArchivePath(path)
  // "./" is how dpkg names the root folder; a file cannot have that name.
  if (normalized === '' && entry.kind !== 'directory') throw unsafeEntry(options.label, path, 'it names the package root itself')
  if (entry.kind === 'symlink') {
    const target = entry.linkTarget ?? ''
    if (target === '') throw unsafeEntry(options.label, path, 'it is a symbolic link without a target')
    if (target.includes('\0') || target.includes('\\')) throw unsafeEntry(options.label, path, 'its link target holds a NUL byte or a backslash')
    if (/^[A-Za-z]:/.test(target)) throw unsafeEntry(options.label, path, 'it links to a Windows drive')
    const absoluteLinks = options.absoluteLinks ?? 'refuse'
    if (target.startsWith('/') && absoluteLinks === 'refuse') throw unsafeEntry(options.label, path, `it links to the absolute path ${target}`)
    if (!lexicalLinkDestination(normalized, target, absoluteLinks)) throw unsafeEntry(options.label, path, `it links outside the package (${target})`)
  }
  if (entry.kind === 'hardlink') {
    const target = entry.linkTarget ?? ''
    const targetProblem = pathProblem(target)
    if (targetProblem || normalizeArchivePath(target) === '') {
      throw unsafeEntry(options.label, path, `it is a hard link to an unsafe path (${target}${targetProblem ? `: ${targetProblem}` : ''})`)
    }
  }
  return normalized
}
