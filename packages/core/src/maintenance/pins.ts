/**
 * Pins: the store entries a prefetched or imported lockfile needs, recorded in the store itself (namespace `pin`),
 * so store maintenance (eviction) keeps them, and `larder pins list|remove` can show and drop them.
 */
import { createHash } from 'node:crypto'
import { basename } from 'node:path'
import { LarderError } from '../errors/index.js'
import type { CacheStore } from '../store/types.js'

export const PIN_PREFIX = 'pin:'

export interface Pin {
  /** `<file name>-<first 12 hex of its sha256>`: the same lockfile pinned again replaces its pin. */
  id: string
  /** What was pinned: a lockfile's path, or a bundle's. */
  source: string
  sha256: string
  by: 'prefetch' | 'import'
  at: string
  /** Store keys that are kept: the files and the index documents serving them. */
  keys: string[]
}

export function pinId(source: string, sha256: string): string {
  const name = basename(source).replace(/[^A-Za-z0-9._-]/g, '_')
  return `${name}-${sha256.slice(0, 12)}`
}

/** Records (or replaces) the pin of `source` whose bytes hash to `sha256`. */
export async function savePin(store: CacheStore, pin: Omit<Pin, 'id' | 'at'>): Promise<Pin> {
  const saved: Pin = { ...pin, id: pinId(pin.source, pin.sha256), at: new Date().toISOString(), keys: [...new Set(pin.keys)].sort() }
  await store.putEntry({ key: PIN_PREFIX + saved.id, status: 'ok', fetchedAt: Date.now(), meta: { pin: saved } })
  return saved
}

export async function listPins(store: CacheStore): Promise<Pin[]> {
  const pins: Pin[] = []
  for await (const key of store.listEntries(PIN_PREFIX)) {
    const pin = (await store.getEntry(key))?.meta?.pin as Pin | undefined
    if (pin) pins.push(pin)
  }
  return pins.sort((a, b) => (a.at < b.at ? -1 : 1))
}

/** Every key some pin keeps (what eviction must not touch). */
export async function pinnedKeys(store: CacheStore): Promise<Set<string>> {
  return new Set((await listPins(store)).flatMap((pin) => pin.keys))
}

export async function removePin(store: CacheStore, id: string): Promise<void> {
  if (!(await store.getEntry(PIN_PREFIX + id))) {
    throw new LarderError('E_NOT_FOUND', `no pin ${id}`, { hint: 'larder pins list shows the pins' })
  }
  await store.deleteEntry(PIN_PREFIX + id)
}

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
