/** The upstream's project list as Larder stores it (valid names, one a line), built while the root page is read. */
import { isValidProjectName, normalizeProjectName } from '../names/project-name.js'

/** Where a root page reader puts the names it finds. */
export interface NameSink {
  /** Names in page order, a chunk's worth at a time. */
  add(names: readonly string[]): void
  /** Drops what was added: of repeated `projects` keys in a JSON page the last counts, as with JSON.parse. */
  clear(): void
}

/**
 * Each chunk's names are checked, deduplicated (by normalised name, first spelling kept) and joined as they come:
 * doing it for ~600k names at the end, or on every request, held the event loop too.
 */
export class ListingLines implements NameSink {
  private parts: Buffer[] = []
  private seen = new Set<string>()

  add(names: readonly string[]): void {
    const valid = names.filter((name) => {
      if (!isValidProjectName(name)) return false
      const normalized = normalizeProjectName(name)
      if (this.seen.has(normalized)) return false
      this.seen.add(normalized)
      return true
    })
    if (valid.length > 0) this.parts.push(Buffer.from((this.parts.length > 0 ? '\n' : '') + valid.join('\n')))
  }

  clear(): void {
    this.parts = []
    this.seen = new Set()
  }

  body(): Buffer {
    return Buffer.concat(this.parts)
  }
}
