/** Temporary directories for tests: created under the OS temp dir, removed by `cleanup()`. */
import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const DEFAULT_TEMP_PREFIX = 'larder-test-'

export interface TempDir {
  /** Absolute, symlink-free path (macOS puts tmpdir behind /var -> /private/var). */
  readonly path: string
  /** Removes the directory and everything in it; safe to call twice. */
  cleanup(): Promise<void>
}

export async function makeTempDir(prefix: string = DEFAULT_TEMP_PREFIX): Promise<TempDir> {
  if (typeof prefix !== 'string' || prefix.includes('/') || prefix.includes('\\')) {
    throw new TypeError('prefix must be a string without path separators')
  }
  const path = await realpath(await mkdtemp(join(tmpdir(), prefix)))
  return {
    path,
    cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 3 }),
  }
}
