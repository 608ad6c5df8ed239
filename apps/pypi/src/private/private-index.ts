/** Projects uploaded to Larder: their page, files and metadata, stored apart from the mirror and never looked up upstream. */
import { createHash } from 'node:crypto'
import { KeyedMutex, LarderError, commitPublish, readAll, type CacheEntry, type CacheStore, type Principal, type SpooledFile } from '@larder/core'
import { releaseFileIdentity } from '../names/dist-filename.js'
import { versionIdentity } from '../names/pep440.js'
import type { PageFile, ProjectPage } from '../simple/project-page.js'
import { STORED_PAGE_TYPE } from '../simple/upstream-page.js'

export const PRIVATE_PROJECT_PREFIX = 'pypi-private:project:'
export const PRIVATE_FILE_PREFIX = 'pypi-private:file:'
export const PRIVATE_METADATA_PREFIX = 'pypi-private:metadata:'

export interface UploadedFile {
  project: string
  filename: string
  version: string
  /** Spooled and hashed; the store takes it (ingestBlob) once every check has passed. */
  file: SpooledFile
  requiresPython?: string
  /** The wheel's METADATA, when it could be read: then PEP 658 serves it. */
  metadata?: Buffer
}

export class PrivateIndex {
  /** One upload at a time per project, so two uploads of one file cannot both pass the check. */
  private readonly uploads = new KeyedMutex()

  constructor(
    private readonly store: CacheStore,
    /** Projects private before anything is uploaded (LARDER_PYPI_PRIVATE_NAMES). */
    private readonly isReserved: (project: string) => boolean = () => false,
    private readonly now: () => number = Date.now,
  ) {}

  /** True for listed projects and once anything was uploaded: such projects are never looked up upstream. */
  async owns(project: string): Promise<boolean> {
    return this.isReserved(project) || (await this.projectEntry(project)) !== undefined
  }

  async projectEntry(project: string): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(PRIVATE_PROJECT_PREFIX + project)
    return entry?.status === 'ok' ? entry : undefined
  }

  async page(project: string): Promise<ProjectPage | undefined> {
    const entry = await this.projectEntry(project)
    if (!entry?.blob) return undefined
    const body = await this.store.openBlob(entry.blob)
    if (!body) throw new LarderError('E_STORE', `private page of ${project} lost its body`)
    return JSON.parse((await readAll(body)).toString('utf8')) as ProjectPage
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

  /**
   * Adds a file; a file that is already there is refused as PyPI does (files are immutable), also under
   * another spelling: the same project, PEP 440 version and (wheels) build and tags, or a second sdist.
   */
  add(upload: UploadedFile, principal: Principal): Promise<PageFile> {
    return this.uploads.run(upload.project, async () => {
      const page = (await this.page(upload.project)) ?? { name: upload.project, files: [], versions: [] }
      const identity = releaseFileIdentity(upload.filename, upload.project)
      const existing = page.files.find(
        (f) => f.filename.toLowerCase() === upload.filename.toLowerCase() || (identity !== undefined && releaseFileIdentity(f.filename, upload.project) === identity),
      )
      if (existing) {
        const same = existing.filename === upload.filename ? `'${upload.filename}'` : `'${upload.filename}' is the same file as '${existing.filename}'`
        const message = identity?.endsWith(' sdist') && existing.filename !== upload.filename ? 'Only one sdist may be uploaded per release. ' : ''
        throw new LarderError('E_BAD_REQUEST', `${message}File already exists (${same}). A file can only be uploaded once.`, {
          hint: 'publish a new version (or use a build tag for wheels): files are immutable',
        })
      }
      // Every check has run: store the bodies, then make the file, its metadata and the page visible together.
      const blob = { sha256: upload.file.sha256, size: upload.file.size }
      await this.store.ingestBlob(upload.file.path, blob)
      const fetchedAt = this.now()
      const meta = { publishedBy: principal.name, version: upload.version }
      const artifacts: CacheEntry[] = [
        { key: `${PRIVATE_FILE_PREFIX}${upload.project}/${upload.filename}`, status: 'ok', fetchedAt, blob: blob.sha256, size: blob.size, contentType: 'application/octet-stream', meta },
      ]
      let coreMetadata: Record<string, string> | undefined
      if (upload.metadata) {
        const stored = await this.store.putBlob(upload.metadata)
        artifacts.push({
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
      const version = versionIdentity(upload.version)
      if (!page.versions?.some((v) => versionIdentity(v) === version)) page.versions = [...(page.versions ?? []), upload.version]
      const body = Buffer.from(JSON.stringify(page))
      const stored = await this.store.putBlob(body)
      await commitPublish(this.store, artifacts, {
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
}
