/**
 * The whole-archive half of the entry check: links followed through other links. Each entry on
 * its own can look safe (`a -> .`, then `d/b -> ../a/../x`) while the chain leaves the package.
 */
import { normalizeArchivePath, unsafeEntry, type ArchiveEntryKind, type ArchivePathOptions } from './safe-archive-path.js'

/** Linux gives up after 40 links in one path; a longer chain is a loop or an attack. */
const MAX_LINK_HOPS = 40

export class ArchiveLinks {
  private readonly symlinks = new Map<string, string>()
  private readonly hardlinks: { path: string; target: string }[] = []
  /** Folders entries are written into, once each: a big archive has many entries but few folders. */
  private readonly folders = new Set<string>()
  /** Every path seen, to tell when a symlink shares its path with another entry. */
  private readonly paths = new Set<string>()
  private readonly absoluteLinks: 'refuse' | 'root'

  constructor(private readonly options: ArchivePathOptions) {
    this.absoluteLinks = options.absoluteLinks ?? 'refuse'
  }

  /** Records an entry whose path assertSafeArchivePath already normalized and checked. */
  add(path: string, kind: ArchiveEntryKind, linkTarget?: string): void {
    if (path === '') return
    // An unpacker replaces one entry by the next of the same path: with a symlink among them, which
    // one a client ends up with decides where later entries go.
    if (this.paths.has(path) && (kind === 'symlink' || this.symlinks.has(path))) {
      throw unsafeEntry(this.options.label, path, 'a symbolic link shares its path with another entry')
    }
    this.paths.add(path)
    const slash = path.lastIndexOf('/')
    if (slash > 0) this.folders.add(path.slice(0, slash))
    if (kind === 'symlink') this.symlinks.set(path, linkTarget ?? '')
    if (kind === 'hardlink') this.hardlinks.push({ path, target: normalizeArchivePath(linkTarget ?? '') })
  }

  /** Call once every entry was added: refuses any folder, link target or hard link that resolves outside the package. */
  assertContained(): void {
    for (const folder of this.folders) {
      if (!this.resolve(folder)) throw unsafeEntry(this.options.label, folder, 'entries are written through a link that leads outside the package (or loops)')
    }
    for (const [path, target] of this.symlinks) {
      // From the link's folder as it resolves itself (it may lie behind another link).
      const folder = path.split('/').slice(0, -1).join('/')
      const absolute = target.startsWith('/') && this.absoluteLinks === 'root'
      if (!this.resolve(absolute ? target : `${folder}/${target}`))
        throw unsafeEntry(this.options.label, path, `it links outside the package through other links (${target})`)
    }
    for (const { path, target } of this.hardlinks) {
      // link(2) on a symlink copies the link itself, whose relative target then means something else.
      if (this.symlinks.has(target)) throw unsafeEntry(this.options.label, path, `it is a hard link to the symbolic link ${target}`)
      if (!this.resolve(target)) throw unsafeEntry(this.options.label, path, `it is a hard link through a link that leads outside the package (${target})`)
    }
  }

  /** Follows `path` from the package root as the kernel would, through the archive's symlinks; undefined when it leaves the root. */
  private resolve(path: string): string[] | undefined {
    const at: string[] = []
    const pending = path.split('/').reverse()
    let hops = 0
    while (pending.length > 0) {
      const segment = pending.pop()!
      if (segment === '' || segment === '.') continue
      if (segment === '..') {
        if (at.length === 0) return undefined
        at.pop()
        continue
      }
      at.push(segment)
      const target = this.symlinks.get(at.join('/'))
      if (target === undefined) continue
      if (++hops > MAX_LINK_HOPS) return undefined
      at.pop()
      if (target.startsWith('/')) {
        if (this.absoluteLinks === 'refuse') return undefined
        at.length = 0
      }
      pending.push(...target.split('/').reverse())
    }
    return at
  }
}
