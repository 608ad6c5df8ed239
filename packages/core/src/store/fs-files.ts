/** Small filesystem helpers for the fs store, where a missing file is an answer rather than an error. */
import { mkdir, readdir, rename, stat, utimes } from 'node:fs/promises'
import { dirname } from 'node:path'

export async function readdirIfExists(path: string): Promise<string[]> {
  try {
    return await readdir(path)
  } catch (err) {
    if (isNotFound(err)) return []
    throw err
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if (isNotFound(err)) return false
    throw err
  }
}

/** True when the file is there, its time moved to now: a blob stored again must look young to a gc. */
export async function touchIfExists(path: string): Promise<boolean> {
  const now = new Date()
  try {
    await utimes(path, now, now)
    return true
  } catch (err) {
    if (isNotFound(err)) return false
    throw err
  }
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT'
}

/**
 * Renames `from` to `to`, making `to`'s folder only when the rename says it is missing. The folder is nearly
 * always there already, and a recursive mkdir of an existing folder costs a mkdir and a stat on every write.
 */
export async function renameIntoFolder(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
  } catch (err) {
    if (!isNotFound(err)) throw err
    await mkdir(dirname(to), { recursive: true })
    await rename(from, to)
  }
}
