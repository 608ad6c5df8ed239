/**
 * The upload sessions of the host, by id. A session is a file in the uploads folder (the bytes) and a small
 * record beside it (its repository, when it was last used), so any worker of the host can take up any request
 * of it, one request at a time across the workers. What this process last knew of a session (its running hash)
 * is kept in memory and used again when the file is still the size it left it. A session idle for longer than
 * LARDER_OCI_UPLOAD_EXPIRY_SECONDS is abandoned: it is swept (its files deleted) and its id is unknown from then on.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { KeyedMutex, type HostLeases } from '@larder/core'
import { LRUCache } from 'lru-cache'
import { OciError } from '../errors/oci-error.js'
import { UploadSession, uploadPath } from './upload-session.js'
import type { UploadSessionStore } from './upload-types.js'

/** Far more than concurrent pushes need (skopeo uploads a few layers at a time); a bound on abandoned ones too. */
export const MAX_UPLOAD_SESSIONS = 1024
export const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const RECORD = /^oci-upload-([0-9a-f-]{36})\.json$/

export interface UploadSessionsOptions {
  /** The uploads folder, shared by the host's workers and on the store's filesystem (the finished file is moved in). */
  dir: string
  expiryMs: number
  now: () => number
  /** Under LARDER_WORKERS: one request at a time per session across the workers. */
  leases?: HostLeases | undefined
}

interface SessionRecord {
  repo: string
  lastActive: number
  /** The process a request is working on it in, if any, and since when: a session in use is not swept. */
  busyIn?: number
  busySince?: number
}

/**
 * No request works on an upload longer than this: past it a busy mark is stale (its process died, and a
 * restart may have given its pid to another process).
 */
const BUSY_AT_MOST_MS = 6 * 3_600_000

export class UploadSessions implements UploadSessionStore {
  /** This process's view of sessions it worked on; the files are the truth. */
  private readonly known = new LRUCache<string, UploadSession>({ max: MAX_UPLOAD_SESSIONS })
  /** One request at a time per session: a chunk's offset check and its write cannot interleave with another's. */
  private readonly locks: KeyedMutex
  private readonly ready: Promise<void>

  constructor(private readonly options: UploadSessionsOptions) {
    this.locks = new KeyedMutex({ scope: 'oci-upload', leases: options.leases })
    this.ready = mkdir(options.dir, { recursive: true }).then(() => {})
    this.ready.catch(() => {})
  }

  async start(repo: string): Promise<UploadSession> {
    await this.ready
    if ((await this.ids()).length >= MAX_UPLOAD_SESSIONS) await this.sweep()
    if ((await this.ids()).length >= MAX_UPLOAD_SESSIONS) throw tooManyUploads()
    const session = await UploadSession.create(this.options.dir, repo, this.options.now())
    await this.saveRecord(session)
    this.known.set(session.id, session)
    return session
  }

  /** Runs `task` on the session `id` of `repo`, alone; an unknown, expired or other repository's id is BLOB_UPLOAD_UNKNOWN. */
  run<T>(repo: string, id: string, task: (session: UploadSession) => Promise<T>): Promise<T> {
    return this.locks.run(id, async () => {
      const session = await this.live(repo, id)
      await this.saveRecord(session, process.pid)
      try {
        return await task(session)
      } finally {
        session.lastActive = this.options.now()
        // A session closed by the task has no record to keep.
        if (this.known.get(session.id) === session) await this.saveRecord(session).catch(() => {})
      }
    })
  }

  /** Ends a session: finished (the store took the file) or cancelled. */
  close(session: UploadSession): Promise<void> {
    return this.remove(session.id)
  }

  /** Deletes every session idle past the expiry; returns how many. */
  async sweep(): Promise<number> {
    let swept = 0
    for (const id of await this.ids()) {
      // A request working on it (here or in another live worker) keeps it; the lock then waits for nothing.
      const before = await this.readRecord(id)
      if (!before || !this.isExpired(before) || this.isBusy(before)) continue
      const gone = await this.locks.run(id, async () => {
        const record = await this.readRecord(id)
        if (!record || !this.isExpired(record) || this.isBusy(record)) return false
        await this.remove(id)
        return true
      })
      if (gone) swept++
    }
    return swept
  }

  /** Sweeps on a timer that never keeps the process alive; returns the function that stops it. */
  startSweeping(onError: (error: unknown) => void): () => void {
    const every = Math.min(this.options.expiryMs, 60_000)
    const timer = setInterval(() => void this.sweep().catch(onError), every)
    timer.unref()
    return () => clearInterval(timer)
  }

  private async live(repo: string, id: string): Promise<UploadSession> {
    const record = SESSION_ID.test(id) ? await this.readRecord(id) : undefined
    const size = record ? (await stat(uploadPath(this.options.dir, id)).catch(() => undefined))?.size : undefined
    if (record && size !== undefined && this.isExpired(record) && !this.isBusy(record)) {
      await this.remove(id)
    } else if (record && size !== undefined && record.repo === repo) {
      const mine = this.known.get(id)
      // Another worker appended since this one last saw it: take the file up afresh.
      if (mine && mine.size === size) return mine
      const adopted = await UploadSession.adopt(this.options.dir, id, record.repo, record.lastActive)
      this.known.set(id, adopted)
      return adopted
    } else if (!record || size === undefined) {
      this.known.delete(id)
    }
    throw unknownUpload(id)
  }

  /** Deletes a session's bytes and record: nothing of it needs reading for that. */
  private async remove(id: string): Promise<void> {
    this.known.delete(id)
    await rm(uploadPath(this.options.dir, id), { force: true })
    await rm(this.recordPath(id), { force: true })
  }

  private isBusy(record: SessionRecord): boolean {
    return isAlive(record.busyIn) && this.options.now() - (record.busySince ?? 0) < BUSY_AT_MOST_MS
  }

  private isExpired(record: SessionRecord): boolean {
    return this.options.now() - record.lastActive > this.options.expiryMs
  }

  private async ids(): Promise<string[]> {
    const names = await readdir(this.options.dir).catch(() => [] as string[])
    return names.flatMap((name) => RECORD.exec(name)?.[1] ?? [])
  }

  private recordPath(id: string): string {
    return join(this.options.dir, `oci-upload-${id}.json`)
  }

  private async readRecord(id: string): Promise<SessionRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(this.recordPath(id), 'utf8')) as SessionRecord
      return typeof record.repo === 'string' && typeof record.lastActive === 'number' ? record : undefined
    } catch {
      return undefined
    }
  }

  private async saveRecord(session: UploadSession, busyIn?: number): Promise<void> {
    const record: SessionRecord = { repo: session.repo, lastActive: session.lastActive, ...(busyIn ? { busyIn, busySince: this.options.now() } : {}) }
    // Whole or not at all: a reader in another worker never sees half a record.
    const temp = `${this.recordPath(session.id)}.${process.pid}.tmp`
    await writeFile(temp, JSON.stringify(record))
    await rename(temp, this.recordPath(session.id))
  }
}

export function tooManyUploads(): OciError {
  return new OciError('TOOMANYREQUESTS', 'E_BAD_REQUEST', `${MAX_UPLOAD_SESSIONS} uploads are in progress already`, {
    hint: 'finish or cancel uploads, or wait for abandoned ones to expire',
    status: 429,
  })
}

export function unknownUpload(id: string): OciError {
  return new OciError('BLOB_UPLOAD_UNKNOWN', 'E_NOT_FOUND', `no upload ${id.slice(0, 40)} is in progress for this repository`, {
    hint: 'the upload was finished, cancelled, or abandoned long enough to expire: start it again',
  })
}

/** Whether a process of this host is still running (a worker that died mid-request leaves its mark behind). */
function isAlive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
