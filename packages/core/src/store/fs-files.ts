/** Small filesystem helpers for the fs store, where a missing file is an answer rather than an error. */
import { readdirSync, rmSync, statSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** Deletes what a crash or a dead download left in the spool folder; younger files may still be in use. */
export function sweepTmp(spoolDir: string, maxAgeMs: number): void {
  const cutoff = Date.now() - maxAgeMs
  for (const name of readdirSync(spoolDir)) {
    const path = join(spoolDir, name)
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true })
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }
}

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

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT'
}
