/** Projects uploaded to Larder: their page, files and metadata, stored apart from the mirror and never looked up upstream. */
import { createHash } from 'node:crypto'
import {
  HostedPackages,
  LarderError,
  eventFile,
  type CacheEntry,
  type CacheStore,
  type HostedChangeOptions,
  type Principal,
  type SpooledFile,
} from '@larder/core'
import { releaseFileIdentity } from '../names/dist-filename.js'
import { versionIdentity } from '../names/pep440.js'
import type { PageFile, ProjectPage } from '../simple/project-page.js'
import { STORED_PAGE_TYPE } from '../simple/upstream-page.js'

// The store keys of existing data dirs: the page is the hosted document, files and metadata sit beside it.
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
  private readonly hosted: HostedPackages

  constructor(
    store: CacheStore,
    /** Projects private before anything is uploaded (LARDER_PYPI_PRIVATE_NAMES). */
    isReserved: (project: string) => boolean = () => false,
    options: HostedChangeOptions = {},
  ) {
    this.hosted = new HostedPackages({ store, documentPrefix: PRIVATE_PROJECT_PREFIX, isReserved, ecosystem: 'pypi', ...options })
  }

  /** True for listed projects and once anything was uploaded: such projects are never looked up upstream. */
  owns(project: string): Promise<boolean> {
    return this.hosted.owns(project)
  }

  async page(project: string): Promise<ProjectPage | undefined> {
    return (await this.hosted.document<ProjectPage>(project))?.doc
  }

  fileEntry(project: string, filename: string): Promise<CacheEntry | undefined> {
    return this.hosted.entry(`${PRIVATE_FILE_PREFIX}${project}/${filename}`)
  }

  metadataEntry(project: string, filename: string): Promise<CacheEntry | undefined> {
    return this.hosted.entry(`${PRIVATE_METADATA_PREFIX}${project}/${filename}`)
  }

  projects(): AsyncIterable<string> {
    return this.hosted.names()
  }

  /**
   * Adds a file; a file that is already there is refused as PyPI does (files are immutable), also under
   * another spelling: the same project, PEP 440 version and (wheels) build and tags, or a second sdist.
   * One upload at a time per project, so two uploads of one file cannot both pass the check.
   */
  add(upload: UploadedFile, principal: Principal): Promise<PageFile> {
    return this.hosted.change(upload.project, async () => {
      const page = (await this.page(upload.project)) ?? { name: upload.project, files: [], versions: [] }
      refuseExisting(page, upload)
      // Every check has run: store the bodies, then make the file, its metadata and the page visible together.
      const { store } = this.hosted
      const blob = { sha256: upload.file.sha256, size: upload.file.size }
      await store.ingestBlob(upload.file.path, blob)
      const fetchedAt = this.hosted.now()
      const meta = { publishedBy: principal.name, version: upload.version }
      const artifacts: CacheEntry[] = [
        {
          key: `${PRIVATE_FILE_PREFIX}${upload.project}/${upload.filename}`,
          status: 'ok',
          fetchedAt,
          blob: blob.sha256,
          size: blob.size,
          contentType: 'application/octet-stream',
          meta,
        },
      ]
      let coreMetadata: Record<string, string> | undefined
      if (upload.metadata) {
        const stored = await store.putBlob(upload.metadata)
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
      await this.hosted.commit(
        upload.project,
        artifacts,
        { fetchedAt, contentType: STORED_PAGE_TYPE, upstreamHash: createHash('sha256').update(body).digest('hex') },
        body,
      )
      await this.hosted.announce({
        type: 'publish',
        name: upload.project,
        version: upload.version,
        files: [eventFile(upload.filename, blob)],
        by: principal.name,
      })
      return file
    })
  }
}

function refuseExisting(page: ProjectPage, upload: UploadedFile): void {
  const identity = releaseFileIdentity(upload.filename, upload.project)
  const existing = page.files.find(
    (f) =>
      f.filename.toLowerCase() === upload.filename.toLowerCase() || (identity !== undefined && releaseFileIdentity(f.filename, upload.project) === identity),
  )
  if (!existing) return
  const same = existing.filename === upload.filename ? `'${upload.filename}'` : `'${upload.filename}' is the same file as '${existing.filename}'`
  const message = identity?.endsWith(' sdist') && existing.filename !== upload.filename ? 'Only one sdist may be uploaded per release. ' : ''
  throw new LarderError('E_BAD_REQUEST', `${message}File already exists (${same}). A file can only be uploaded once.`, {
    hint: 'publish a new version (or use a build tag for wheels): files are immutable',
  })
}
