/**
 * Which files' core metadata (PEP 658) a page may advertise: a 404 after advertising breaks pip and uv,
 * so only what Larder can serve. Online, what upstream advertised (fetched on demand); when offline or
 * the upstream is failing (stale page, or the circuit to the file's host open while the page is still
 * fresh), only metadata already stored or extractable from a stored wheel.
 */
import type { CacheStore, UpstreamClient } from '@larder/core'
import type { PageHandle } from '../simple/page-source.js'
import { hashSegment, type PageFile } from '../simple/project-page.js'
import type { MetadataAdverts } from '../simple/render-page.js'
import { storedMetadata } from './stored-metadata.js'

export interface AdvertSources {
  store: CacheStore
  upstream: Pick<UpstreamClient, 'isCircuitOpen'>
  offline: boolean
}

export async function metadataAdverts(handle: PageHandle, sources: AdvertSources): Promise<MetadataAdverts> {
  const { store, upstream, offline } = sources
  const adverts: MetadataAdverts = new Map()
  const pageStoreOnly = offline || handle.result === 'STALE'
  for (const file of handle.page.files) {
    if (handle.private) {
      if (file.coreMetadata) adverts.set(file.filename, file.coreMetadata)
      continue
    }
    // The metadata file lives beside the file, which may be on another host than the page.
    const storeOnly = pageStoreOnly || upstream.isCircuitOpen(`${file.url}.metadata`)
    if (file.coreMetadata && !storeOnly) {
      adverts.set(file.filename, file.coreMetadata)
      continue
    }
    const advert = await storedAdvert(handle.page.name, file, store)
    if (advert) adverts.set(file.filename, advert)
  }
  return adverts
}

/** What Larder can serve from the store: its metadata file, or one read out of the stored wheel now (once per wheel). */
async function storedAdvert(project: string, file: PageFile, store: CacheStore): Promise<Record<string, string> | undefined> {
  const entry = await storedMetadata({ store }, project, hashSegment(file), file)
  return entry?.blob ? { sha256: entry.blob } : undefined
}
