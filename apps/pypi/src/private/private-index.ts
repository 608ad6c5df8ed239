/** Projects uploaded to Larder: their page, files and metadata, stored apart from the mirror and never looked up upstream. */
import { createHash } from 'node:crypto'
import { LarderError, type CacheEntry, type CacheStore, type Principal } from '@larder/core'
import type { PageFile, ProjectPage } from '../simple/project-page.js'
import { STORED_PAGE_TYPE } from '../simple/upstream-page.js'

export const PRIVATE_PROJECT_PREFIX = 'pypi-private:project:'
export const PRIVATE_FILE_PREFIX = 'pypi-private:file:'
export const PRIVATE_METADATA_PREFIX = 'pypi-private:metadata:'

export interface UploadedFile {
  project: string
  filename: string
  version: string
  bytes: Buffer
  requiresPython?: string
  /** The wheel's METADATA, when it could be read: then PEP 658 serves it. */
  metadata?: Buffer
}

export class PrivateIndex {
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor(private readonly store: CacheStore, private readonly now: () => number = Date.now) {}

  async projectEntry(project: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(PRIVATE_PROJECT_PREFIX + project)
    return entry?.status === 'ok' ? entry : undefined
  }

  async page(project: string): Promise<ProjectPage | undefined> {
    const entry = await this.projectEntry(project)
    if (!entry?.blob) return undefined
    const body = await this.store.openBlob(entry.blob)
    if (!body) throw new LarderError('E_STORE', `private page of ${project} lost its body`)
    const chunks: Buffer[] = []
    for await (const chunk of body) chunks.push(chunk as Buffer)
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProjectPage
  }

  async fileEntry(project: string, filename: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(`${PRIVATE_FILE_PREFIX}${project}/${filename}`)
    return entry?.status === 'ok' ? entry : undefined
  }

  async metadataEntry(project: string, filename: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(`${PRIVATE_METADATA_PREFIX}${project}/${filename}`)
    return entry?.status === 'ok' ? entry : undefined
  }

  async *projects(): AsyncIterable<string> {
    for await (const key of this.store.listEntries(PRIVATE_PROJECT_PREFIX)) yield key.slice(PRIVATE_PROJECT_PREFIX.length)
  }

  /** Adds a file; the same file name twice is refused, as PyPI does (files are immutable). */
  add(upload: UploadedFile, principal: Principal): Promise<PageFile> {
    return this.serialized(upload.project, async () => {
      const page = (await this.page(upload.project)) ?? { name: upload.project, files: [], versions: [] }
      if (page.files.some((f) => f.filename.toLowerCase() === upload.filename.toLowerCase())) {
        throw new LarderError('E_BAD_REQUEST', `File already exists ('${upload.filename}'). A file name can only be used once.`, {
          hint: 'publish a new version (or use a build tag for wheels): files are immutable',
        })
      }
      const blob = await this.store.putBlob(upload.bytes)
      const fetchedAt = this.now()
      const meta = { publishedBy: principal.name, version: upload.version }
      await this.store.putEntry({
        key: `${PRIVATE_FILE_PREFIX}${upload.project}/${upload.filename}`,
        status: 'ok',
        fetchedAt,
        blob: blob.sha256,
        size: blob.size,
        contentType: 'application/octet-stream',
        meta,
      })
      let coreMetadata: Record<string, string> | undefined
      if (upload.metadata) {
        const stored = await this.store.putBlob(upload.metadata)
        await this.store.putEntry({
          key: `${PRIVATE_METADATA_PREFIX}${upload.project}/${upload.filename}`,
          status: 'ok',
          fetchedAt,
          blob: stored.sha256,
          size: stored.size,
          contentType: 'text/plain; charset=utf-8',
          meta,
        })
        coreMetadata = { sha256: stored.sha256 }
      }
      const file: PageFile = {
        filename: upload.filename,
        url: '',
        hashes: { sha256: blob.sha256 },
        yanked: false,
        size: blob.size,
        uploadTime: new Date(fetchedAt).toISOString(),
        ...(upload.requiresPython ? { requiresPython: upload.requiresPython } : {}),
        ...(coreMetadata ? { coreMetadata } : {}),
      }
      page.files.push(file)
      if (!page.versions?.includes(upload.version)) page.versions = [...(page.versions ?? []), upload.version]
      const body = Buffer.from(JSON.stringify(page))
      const stored = await this.store.putBlob(body)
      await this.store.putEntry({
        key: PRIVATE_PROJECT_PREFIX + upload.project,
        status: 'ok',
        fetchedAt,
        blob: stored.sha256,
        size: stored.size,
        contentType: STORED_PAGE_TYPE,
        upstreamHash: createHash('sha256').update(body).digest('hex'),
      })
      return file
    })
  }

  /** One upload at a time per project, so two uploads of one file name cannot both pass the check. */
  private serialized<T>(project: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(project) ?? Promise.resolve()
    const next = previous.catch(() => {}).then(task)
    this.locks.set(project, next)
    void next.catch(() => {}).finally(() => {
      if (this.locks.get(project) === next) this.locks.delete(project)
    })
    return next
  }
}
