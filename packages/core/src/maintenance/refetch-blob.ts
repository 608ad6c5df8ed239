/** Repair of a mirrored file that lost its bytes: fetched again from the URL its entry recorded, stored only if it hashes to the same address. */
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StreamingDigest } from '../digest/index.js'
import type { CacheEntry, CacheStore } from '../store/types.js'
import type { UpstreamClient } from '../upstream/index.js'

export type RefetchOutcome = 'restored' | 'changed' | 'unavailable'

/** 'changed': upstream now has other bytes (the entry is left for the caller to drop); 'unavailable': no URL, or it failed. */
export async function refetchBlob(store: CacheStore, upstream: UpstreamClient, entry: CacheEntry): Promise<RefetchOutcome> {
  const url = entry.meta?.url
  if (typeof url !== 'string' || !entry.blob) return 'unavailable'
  const spool = join(store.spoolDir, `repair-${randomUUID()}`)
  try {
    const response = await upstream.request({ url })
    if (response.status !== 200) {
      response.body.destroy()
      return 'unavailable'
    }
    const digest = new StreamingDigest()
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        digest.update(chunk)
        done(null, chunk)
      },
    })
    await pipeline(response.body, tap, createWriteStream(spool))
    const got = digest.digest()
    if (got.sha256 !== entry.blob) return 'changed'
    await store.ingestBlob(spool, { sha256: got.sha256, size: got.size })
    return 'restored'
  } catch {
    return 'unavailable'
  } finally {
    await rm(spool, { force: true })
  }
}
