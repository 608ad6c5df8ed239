/** What each lockfile format gives the reader: how to recognise it (by file name, else by content) and how to read it. */
import type { ReadLockfile } from './locked-item.js'

export interface ReadContext {
  /** Reads a file a lockfile includes (requirements `-r`), relative paths already resolved. */
  readText(path: string): Promise<string>
  /** The environment (LARDER_* settings some formats need, e.g. the files mirror's upstreams). */
  env: Readonly<Record<string, string | undefined>>
}

export interface LockfileFormat {
  /** As people call it, in messages and the summary: 'pnpm-lock.yaml'. */
  name: string
  byName(fileName: string): boolean
  /** For a file under another name; formats that cannot be told by content leave it out. */
  byContent?(text: string): boolean
  read(path: string, text: string, context: ReadContext): ReadLockfile | Promise<ReadLockfile>
}

/** A format recognised but not read yet: its read says so instead of "unknown". */
export function notYetFormat(name: string, byName: (fileName: string) => boolean): LockfileFormat {
  return {
    name,
    byName,
    read(path) {
      throw new Error(`${path}: ${name} lockfiles are not supported yet`)
    },
  }
}
