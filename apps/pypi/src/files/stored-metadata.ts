/**
 * A stored wheel's METADATA as a PEP 658 file: read out of the wheel once, checked against the hash upstream
 * advertised, and stored; a wheel it cannot be read from is marked so, and never advertised again.
 */
import { createHash } from 'node:crypto'
import { readAll, type CacheEntry, type CacheStore } from '@larder/core'
import type { PageFile } from '../simple/project-page.js'
import { fileKey, metadataKey } from './file-keys.js'
import { distInfoPrefixOf, readWheelMetadata } from './wheel-metadata.js'

export const METADATA_CONTENT_TYPE = 'application/octet-stream'

export interface StoredMetadataOptions {
  store: CacheStore
  /** Told when the wheel's METADATA is not what upstream advertised. */
  onMismatch?: (file: PageFile) => void
}

/** The stored metadata entry, extracting it from the stored wheel when there is none yet; undefined when neither can be had. */
export async function storedMetadata(options: StoredMetadataOptions, project: string, segment: string, file: PageFile): Promise<CacheEntry | undefined> {
  const { store } = options
  const held = await store.getEntry(metadataKey(project, segment, file.filename))
  if (held?.status === 'ok' && held.blob) return held
  if (!file.filename.endsWith('.whl')) return undefined
  const wheel = await store.getEntry(fileKey(project, segment, file.filename))
  if (wheel?.status !== 'ok' || !wheel.blob || wheel.size === undefined || wheel.meta?.metadataUnreadable) return undefined
  const blob = wheel.blob
  const read = async (start: number, end: number) => {
    if (end <= start) return Buffer.alloc(0)
    const stream = await store.openBlob(blob, { start, end: end - 1 })
    return stream ? readAll(stream) : Buffer.alloc(0)
  }
  const metadata = await readWheelMetadata(wheel.size, read, distInfoPrefixOf(file.filename)).catch(() => undefined)
  const sha256 = metadata && createHash('sha256').update(metadata).digest('hex')
  const advertised = file.coreMetadata === true ? undefined : file.coreMetadata?.sha256
  if (!metadata || (advertised && advertised !== sha256)) {
    if (metadata) options.onMismatch?.(file)
    // Remembered on the wheel, so a page never advertises what a request for it would not get.
    await store.putEntry({ ...wheel, meta: { ...wheel.meta, metadataUnreadable: true } })
    return undefined
  }
  const info = await store.putBlob(metadata)
  const entry: CacheEntry = {
    key: metadataKey(project, segment, file.filename),
    status: 'ok',
    fetchedAt: Date.now(),
    blob: info.sha256,
    size: info.size,
    contentType: METADATA_CONTENT_TYPE,
    meta: { extractedFrom: wheel.blob },
  }
  await store.putEntry(entry)
  return entry
}
