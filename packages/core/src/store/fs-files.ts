/** Small filesystem helpers for the fs store, where a missing file is an answer rather than an error. */
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises'
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

/**
 * Deletes a file that may be gone already. One unlink, where `rm(path, { force: true })` costs two lstat
 * calls first: on a cold miss, each filesystem call is a trip through libuv's thread pool.
 */
export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (err) {
    if (!isNotFound(err)) throw err
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
