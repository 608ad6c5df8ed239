/**
 * Store check (fsck): re-hashes every blob against its address and checks every entry's blobs are there. A corrupt
 * blob is quarantined (copied out of the store, then deleted from it), never silently deleted: served again it would
 * be wrong bytes, and a mirrored one is fetched again on the next request once it is gone.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { CacheStore } from '../store/types.js'
import { referencedBlobs } from './collect-garbage.js'

export interface CorruptBlob {
  sha256: string
  /** What its bytes hash to now. */
  actual: string
  size: number
  /** Where its bytes were put aside. */
  quarantinedAt?: string
}

export interface MissingBlob {
  key: string
  sha256: string
  /** Hosted content cannot be fetched again: it must be published again. */
  hosted: boolean
}

export interface StoreCheckResult {
  blobs: number
  bytes: number
  corrupt: CorruptBlob[]
  /** Entries whose body or part is not in the store (after quarantine: the corrupt ones' too). */
  missing: MissingBlob[]
}

export interface StoreCheckOptions {
  /** Where corrupt blobs are copied before they leave the store; without it they are only reported. */
  quarantineDir?: string
  onBlob?: (size: number) => void
}

/** Namespaces of what Larder hosts (`npm-private:`, `apt-hosted:`...), as opposed to what it mirrors. */
export function isHostedKey(key: string): boolean {
  const namespace = key.slice(0, key.indexOf(':'))
  return namespace.endsWith('-private') || namespace.endsWith('-hosted')
}

export async function checkStore(store: CacheStore, options: StoreCheckOptions = {}): Promise<StoreCheckResult> {
  const result: StoreCheckResult = { blobs: 0, bytes: 0, corrupt: [], missing: [] }
  for await (const blob of store.listBlobs()) {
    const body = await store.openBlob(blob.sha256)
    if (!body) continue
    const hash = createHash('sha256')
    for await (const chunk of body as AsyncIterable<Buffer>) hash.update(chunk)
    const actual = hash.digest('hex')
    result.blobs++
    result.bytes += blob.size
    options.onBlob?.(blob.size)
    if (actual === blob.sha256) continue
    const corrupt: CorruptBlob = { sha256: blob.sha256, actual, size: blob.size }
    if (options.quarantineDir) {
      corrupt.quarantinedAt = await quarantine(store, blob.sha256, options.quarantineDir)
      await store.deleteBlob(blob.sha256)
    }
    result.corrupt.push(corrupt)
  }
  for await (const key of store.listEntries('')) {
    const entry = await store.getEntry(key)
    if (!entry) continue
    for (const sha256 of referencedBlobs(entry)) {
      if (!(await store.statBlob(sha256))) result.missing.push({ key, sha256, hosted: isHostedKey(key) })
    }
  }
  return result
}

async function quarantine(store: CacheStore, sha256: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  const target = join(dir, `${sha256}.${Date.now()}`)
  const body = await store.openBlob(sha256)
  if (body) await pipeline(body, createWriteStream(target))
  return target
}
