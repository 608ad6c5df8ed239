/**
 * News of writes by other processes sharing a filesystem store (`larder import`, an in-process `larder prefetch`):
 * they touch one file when done, and a server polls its time once a second, so its entry cache never keeps
 * saying "absent" about what was just imported.
 */
import { stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ExternalChanges } from './entry-cache.js'

export const STORE_CHANGED_FILE = 'changed'
export const DEFAULT_STORE_CHANGES_POLL_MS = 1000

export interface StoreChangesWatch extends ExternalChanges {
  close(): void
}

/** Polls `<dir>/changed`; listeners run when its time differs from the last one seen. */
export function watchStoreChanges(dir: string, pollMs = DEFAULT_STORE_CHANGES_POLL_MS): StoreChangesWatch {
  const path = join(dir, STORE_CHANGED_FILE)
  const listeners: Array<() => void> = []
  let last: number | undefined
  let checking = false
  const check = async () => {
    if (checking) return
    checking = true
    try {
      const time = (await stat(path).catch(() => undefined))?.mtimeMs ?? 0
      if (last !== undefined && time !== last) for (const listener of listeners) listener()
      last = time
    } finally {
      checking = false
    }
  }
  void check()
  const timer = setInterval(() => void check(), pollMs)
  timer.unref()
  return {
    onChange: (listener) => listeners.push(listener),
    close: () => clearInterval(timer),
  }
}

/** Tells processes watching the store in `dir` that it changed. */
export async function announceStoreChange(dir: string): Promise<void> {
  const path = join(dir, STORE_CHANGED_FILE)
  const now = new Date()
  await utimes(path, now, now).catch(async () => writeFile(path, `${now.toISOString()}\n`))
}
