/**
 * The upload sessions of this process, by id. Only their bookkeeping is in memory; the bytes are in spool files in
 * the store's spool folder, which a restart sweeps with the rest of a dead process's spool. A session idle for longer
 * than LARDER_OCI_UPLOAD_EXPIRY_SECONDS is abandoned: it is swept (its file deleted) and its id is unknown from then on.
 */
import { KeyedMutex } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import { UploadSession } from './upload-session.js'

/** Far more than concurrent pushes need (skopeo uploads a few layers at a time); a bound on abandoned ones too. */
export const MAX_UPLOAD_SESSIONS = 1024
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export interface UploadSessionsOptions {
  spoolDir: string
  expiryMs: number
  now: () => number
}

export class UploadSessions {
  private readonly sessions = new Map<string, UploadSession>()
  /** One request at a time per session: a chunk's offset check and its write cannot interleave with another's. */
  private readonly locks = new KeyedMutex()

  constructor(private readonly options: UploadSessionsOptions) {}

  get size(): number {
    return this.sessions.size
  }

  async start(repo: string): Promise<UploadSession> {
    if (this.sessions.size >= MAX_UPLOAD_SESSIONS) await this.sweep()
    if (this.sessions.size >= MAX_UPLOAD_SESSIONS) {
      throw new OciError('TOOMANYREQUESTS', 'E_BAD_REQUEST', `${MAX_UPLOAD_SESSIONS} uploads are in progress already`, {
        hint: 'finish or cancel uploads, or wait for abandoned ones to expire',
        status: 429,
      })
    }
    const session = await UploadSession.create(this.options.spoolDir, repo, this.options.now())
    this.sessions.set(session.id, session)
    return session
  }

  /** Runs `task` on the session `id` of `repo`, alone; an unknown, expired or other repository's id is BLOB_UPLOAD_UNKNOWN. */
  run<T>(repo: string, id: string, task: (session: UploadSession) => Promise<T>): Promise<T> {
    return this.locks.run(id, async () => {
      const session = await this.live(repo, id)
      session.active++
      try {
        return await task(session)
      } finally {
        session.active--
        session.lastActive = this.options.now()
      }
    })
  }

  /** Ends a session: finished (the store took the file) or cancelled. */
  async close(session: UploadSession): Promise<void> {
    this.sessions.delete(session.id)
    await session.discard()
  }

  /** Deletes every session idle past the expiry; returns how many. */
  async sweep(): Promise<number> {
    let swept = 0
    for (const session of [...this.sessions.values()]) {
      // Checked one by one: a request may have taken up a session while an earlier one was being deleted.
      if (!this.isExpired(session)) continue
      await this.close(session)
      swept++
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
    const session = SESSION_ID.test(id) ? this.sessions.get(id) : undefined
    if (session && this.isExpired(session)) await this.close(session)
    else if (session?.repo === repo) return session
    throw new OciError('BLOB_UPLOAD_UNKNOWN', 'E_NOT_FOUND', `no upload ${id.slice(0, 40)} is in progress for this repository`, {
      hint: 'the upload was finished, cancelled, or abandoned long enough to expire: start it again',
    })
  }

  private isExpired(session: UploadSession): boolean {
    return session.active === 0 && this.options.now() - session.lastActive > this.options.expiryMs
  }
}
