/**
 * What a lockfile reader produces: "locked items", each one package at one version with the Larder URL
 * paths a client would fetch for it and the digests the lockfile promises for those bytes.
 */
import type { Digests } from './digests.js'

/** The mirror an item is fetched from (its URL prefix on Larder). */
export type Ecosystem = 'npm' | 'pypi' | 'gems' | 'composer' | 'apt' | 'oci' | 'files'

/** An index document a client reads before it downloads (packument, simple page, /info, p2 file). */
export interface IndexDocument {
  /** Path on Larder, e.g. `/npm/@scope%2fname`. */
  path: string
  /** The Accept header the client sends; some documents have more than one form. */
  accept?: string
}

/** One file a client downloads, with the digests the lockfile gives for it (hex). */
export interface LockedArtifact {
  path: string
  /** Empty when the lockfile carries no digest: then only presence can be proved. */
  expected: Digests
  /** Any one of these sets matching is enough (pip: one `--hash` per file of a release). Used instead of `expected` when set. */
  anyOf?: Digests[]
}

/** The index bodies an item's `resolve` reads, by `documentKey`. */
export type DocumentBodies = ReadonlyMap<string, string>

export interface LockedItem {
  ecosystem: Ecosystem
  /** The lockfile (and line, where there are lines) it came from, for messages. */
  source: string
  name: string
  version: string
  indexes: IndexDocument[]
  /** Artifacts known from the lockfile alone (npm, gems, composer). */
  artifacts: LockedArtifact[]
  /** Artifacts found in an index document (pip: the files of this version on its project page); throws to fail the item. */
  resolve?: (documents: DocumentBodies) => LockedArtifact[]
  /** Why this entry cannot be held by Larder (unpinned, git, direct URL); the item fails with it. */
  problem?: string
  /** Its Package URL when the reader knows better than the ecosystem's default (a deb's arch, an image's repository). */
  purl?: string
}

/** A lockfile read into items, with the entries skipped on purpose (local paths, links) counted. */
export interface ReadLockfile {
  path: string
  format: string
  items: LockedItem[]
  /** Entries that need nothing from a registry (workspace links, `file:` paths). */
  skipped: number
}

export function documentKey(doc: IndexDocument): string {
  return doc.accept ? `${doc.path} (${doc.accept})` : doc.path
}

/** `name@version` as people write it, for messages. */
export function itemLabel(item: Pick<LockedItem, 'ecosystem' | 'name' | 'version'>): string {
  if (!item.version) return item.name
  return item.ecosystem === 'pypi' ? `${item.name}==${item.version}` : `${item.name}@${item.version}`
}
