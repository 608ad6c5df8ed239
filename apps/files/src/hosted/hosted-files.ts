/**
 * Files uploaded to Larder: one entry per path, its bytes a blob addressed by sha256, and a directory
 * document per folder. A path once given bytes keeps them: never replaced, and after a delete only the same
 * bytes may come back, so a URL in a lockfile or Dockerfile always means one file.
 */
import {
  KeyedMutex,
  type HostLeases,
  LarderError,
  SAFE_ARTIFACT_CONTENT_TYPE,
  eventFile,
  type CacheEntry,
  type CacheStore,
  type EventRecorder,
  type SpooledFile,
} from '@larder/core'
import { displayPath } from '../names/files-path.js'
import { addToDirectory, readDirectory, removeFromDirectory, type DirectoryDoc, type ListedFile, type RootLock } from './directory-index.js'
import { fileKey } from './hosted-keys.js'

/** Never a repository name: the lock of the root document. */
const ROOT_LOCK = '/'

export interface StoredFile {
  entry: CacheEntry
  /** False when the path already held these bytes (the upload was a no-op). */
  created: boolean
}

export class HostedFiles {
  /** One change at a time per repository: two uploads cannot both take a path, nor race on a directory document. */
  private readonly locks: KeyedMutex
  private readonly root: RootLock = (run) => this.locks.run(ROOT_LOCK, run)

  constructor(
    readonly store: CacheStore,
    private readonly now: () => number = Date.now,
    /** Where uploads and deletes are announced (LARDER_WEBHOOKS). */
    private readonly events?: EventRecorder,
    /** Under LARDER_WORKERS: one change at a time per repository across the host's workers. */
    leases?: HostLeases,
  ) {
    this.locks = new KeyedMutex({ scope: 'files-hosted', leases })
  }

  /** The file's entry while it is there (not after a delete). */
  async file(repo: string, path: readonly string[]): Promise<CacheEntry | undefined> {
    const entry = await this.store.getEntry(fileKey(repo, path))
    return entry?.status === 'ok' ? entry : undefined
  }

  /** `dir` is [repo, ...segments]; [] lists the repositories. */
  directory(dir: readonly string[]): Promise<DirectoryDoc | undefined> {
    return readDirectory(this.store, dir)
  }

  /**
   * The checks that need no body, run before it is read (a conflicting multi-GB upload is refused at once)
   * and again under the lock: the path must not be or lie under a file, nor be a directory, nor hold other bytes.
   */
  async admit(repo: string, path: readonly string[], sha256?: string): Promise<void> {
    const existing = await this.store.getEntry(fileKey(repo, path))
    if (existing && sha256) sameBytesOrConflict(existing, sha256, displayPath(repo, path))
    for (let depth = 0; depth < path.length; depth++) {
      const doc = await this.directory([repo, ...path.slice(0, depth)])
      if (!doc) return
      const segment = path[depth]!
      const last = depth === path.length - 1
      if (!last && doc.files.has(segment)) {
        throw new LarderError('E_CONFLICT', `${displayPath(repo, path.slice(0, depth + 1))} is a file: it cannot hold ${displayPath(repo, path)}`)
      }
      if (last && doc.dirs.includes(segment)) throw new LarderError('E_CONFLICT', `${displayPath(repo, path)} is a directory: it cannot be a file too`)
    }
  }

  /** Stores the spooled, verified upload at the path (the store takes the file), unless the path holds these bytes already. */
  put(repo: string, path: readonly string[], file: SpooledFile, by: string, digests: Record<string, string>): Promise<StoredFile> {
    const key = fileKey(repo, path)
    return this.locks.run(repo, async () => {
      const existing = await this.store.getEntry(key)
      if (existing) sameBytesOrConflict(existing, file.sha256, displayPath(repo, path))
      if (existing?.status === 'ok') return { entry: existing, created: false }
      await this.admit(repo, path)
      const at = this.now()
      await this.store.ingestBlob(file.path, { sha256: file.sha256, size: file.size })
      const entry: CacheEntry = {
        key,
        status: 'ok',
        fetchedAt: at,
        blob: file.sha256,
        size: file.size,
        contentType: SAFE_ARTIFACT_CONTENT_TYPE,
        meta: { uploadedBy: by, digests },
      }
      await this.store.putEntry(entry)
      const listed: ListedFile = { size: file.size, sha256: file.sha256, uploadedAt: new Date(at).toISOString(), uploadedBy: by }
      try {
        await addToDirectory(this.store, [repo, ...path.slice(0, -1)], path.at(-1)!, listed, at, this.root)
      } catch (error) {
        // Not listed, not served: the path goes back to what it was (absent, or its tombstone).
        await (existing ? this.store.putEntry(existing) : this.store.deleteEntry(key)).catch(() => {})
        throw error
      }
      await this.events?.record({ type: 'upload', ecosystem: 'files', name: repo, version: null, files: [eventFile(path.join('/'), file)], by })
      return { entry, created: true }
    })
  }

  /** Stops serving the file and takes it out of its directory; the path keeps its digest (a tombstone). */
  remove(repo: string, path: readonly string[], by: string): Promise<CacheEntry> {
    const key = fileKey(repo, path)
    return this.locks.run(repo, async () => {
      const entry = await this.store.getEntry(key)
      if (entry?.status !== 'ok' || !entry.blob) throw new LarderError('E_NOT_FOUND', `${displayPath(repo, path)} is not a hosted file`)
      const at = this.now()
      const meta = { sha256: entry.blob, size: entry.size, deletedBy: by, deletedAt: new Date(at).toISOString() }
      await this.store.putEntry({ key, status: 'missing', fetchedAt: at, meta })
      await removeFromDirectory(this.store, [repo, ...path.slice(0, -1)], path.at(-1)!, at, this.root)
      await this.events?.record({ type: 'delete', ecosystem: 'files', name: repo, version: null, files: [eventFile(path.join('/'), entry)], by })
      return entry
    })
  }
}

/** A path keeps the bytes it was first given: the same again is fine, anything else is 409. */
function sameBytesOrConflict(existing: CacheEntry, sha256: string, what: string): void {
  const held = existing.status === 'ok' ? existing.blob : (existing.meta?.sha256 as string | undefined)
  if (held === undefined || held === sha256) return
  if (existing.status === 'ok') {
    throw new LarderError('E_CONFLICT', `${what} already exists with other bytes (sha256 ${held}): a path is never replaced`, {
      hint: 'upload under a new path, e.g. with the version or the checksum in its name',
    })
  }
  throw new LarderError('E_CONFLICT', `${what} was deleted, and held other bytes (sha256 ${held}): a path is never reused for other bytes`, {
    hint: 'upload under a new path, e.g. with the version or the checksum in its name',
  })
}
