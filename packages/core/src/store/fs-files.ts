/** Small filesystem helpers for the fs store, where a missing file is an answer rather than an error. */
import { readdir, stat, utimes } from 'node:fs/promises'

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
