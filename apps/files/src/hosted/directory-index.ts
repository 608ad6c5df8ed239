/**
 * One document per hosted directory listing its files and subdirectories, kept up to date under the
 * repository's lock, so a listing reads one entry instead of scanning the store. A directory exists while it
 * holds something: the last file out takes it (and any parent it leaves empty) away.
 */
import type { CacheStore } from '@larder/core'
import { dirKey } from './hosted-keys.js'

/** What a listing says about a file. */
export interface ListedFile {
  size: number
  sha256: string
  /** ISO 8601. */
  uploadedAt: string
  /** The token's name. */
  uploadedBy: string
}

/** A Map, not an object: a file may be called `__proto__` or `constructor`. */
export interface DirectoryDoc {
  files: Map<string, ListedFile>
  /** Names of the subdirectories. */
  dirs: string[]
}

/** As stored in the entry's meta: a list, sorted by name. */
interface StoredDirectory {
  files: (ListedFile & { name: string })[]
  dirs: string[]
}

const empty = (): DirectoryDoc => ({ files: new Map(), dirs: [] })

/** `dir` is [repo, ...segments]; [] is the root, whose subdirectories are the repositories. */
export async function readDirectory(store: CacheStore, dir: readonly string[]): Promise<DirectoryDoc | undefined> {
  const entry = await store.getEntry(dirKey(dir))
  if (entry?.status !== 'ok' || !entry.meta) return undefined
  // Entries may be shared and frozen: callers get their own copy to change.
  const meta = entry.meta as unknown as StoredDirectory
  return { files: new Map(meta.files.map(({ name, ...file }) => [name, file])), dirs: [...meta.dirs] }
}

async function writeDirectory(store: CacheStore, dir: readonly string[], doc: DirectoryDoc, now: number): Promise<void> {
  if (isEmpty(doc)) return store.deleteEntry(dirKey(dir))
  const files = [...doc.files.keys()].sort().map((name) => ({ name, ...doc.files.get(name)! }))
  const stored: StoredDirectory = { files, dirs: [...doc.dirs].sort() }
  await store.putEntry({ key: dirKey(dir), status: 'ok', fetchedAt: now, meta: stored as unknown as Record<string, unknown> })
}

export function isEmpty(doc: DirectoryDoc): boolean {
  return doc.files.size === 0 && doc.dirs.length === 0
}

/** Runs a change of the root document, which every repository shares (its own lock, taken inside a repository's). */
export type RootLock = <T>(run: () => Promise<T>) => Promise<T>

/**
 * Lists `name` in directory `dir`, then links each directory into its parent up to the first one already
 * linked: a listing from the top only ever reaches directories whose documents are written.
 */
export async function addToDirectory(store: CacheStore, dir: readonly string[], name: string, file: ListedFile, now: number, root: RootLock): Promise<void> {
  const leaf = (await readDirectory(store, dir)) ?? empty()
  leaf.files.set(name, file)
  await writeDirectory(store, dir, leaf, now)
  for (let depth = dir.length; depth > 0; depth--) {
    const parent = dir.slice(0, depth - 1)
    const child = dir[depth - 1]!
    const linked = await changeDirectory(store, parent, now, root, (doc) => {
      if (doc.dirs.includes(child)) return false
      doc.dirs.push(child)
      return true
    })
    if (!linked) return
  }
}

/** Takes `name` out of directory `dir`, and every directory left empty out of its parent. */
export async function removeFromDirectory(store: CacheStore, dir: readonly string[], name: string, now: number, root: RootLock): Promise<void> {
  const leaf = await readDirectory(store, dir)
  if (!leaf) return
  leaf.files.delete(name)
  await writeDirectory(store, dir, leaf, now)
  if (!isEmpty(leaf)) return
  for (let depth = dir.length; depth > 0; depth--) {
    const parent = dir.slice(0, depth - 1)
    const child = dir[depth - 1]!
    let emptied = false
    await changeDirectory(store, parent, now, root, (doc) => {
      doc.dirs = doc.dirs.filter((d) => d !== child)
      emptied = isEmpty(doc)
      return true
    })
    if (!emptied) return
  }
}

/** Applies `change` to one directory document (the root under its own lock); writes only when it says so. */
async function changeDirectory(
  store: CacheStore,
  dir: readonly string[],
  now: number,
  root: RootLock,
  change: (doc: DirectoryDoc) => boolean,
): Promise<boolean> {
  const run = async () => {
    const doc = (await readDirectory(store, dir)) ?? empty()
    if (!change(doc)) return false
    await writeDirectory(store, dir, doc, now)
    return true
  }
  return dir.length === 0 ? root(run) : run()
}
