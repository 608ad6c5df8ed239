/**
 * Upload sessions in the shared store, for replicas on one database: a session is an entry whose parts are
 * its chunks, so a push whose requests the load balancer spreads over the replicas goes on wherever each lands.
 * One request at a time per session across every replica (the cluster's leases); idle sessions expire as on one host.
 */
import { discardSpooledFile, KeyedMutex, type CacheStore, type HostLeases } from '@larder/core'
import { HOSTED_UPLOAD_PREFIX, hostedUploadKey } from '../keys/hosted-keys.js'
import { StoreUpload } from './store-upload.js'
import { MAX_UPLOAD_SESSIONS, SESSION_ID, tooManyUploads, unknownUpload } from './upload-sessions.js'
import type { UploadSessionStore } from './upload-types.js'

export interface StoreUploadSessionsOptions {
  store: CacheStore
  expiryMs: number
  now: () => number
  leases?: HostLeases | undefined
}

export class StoreUploadSessions implements UploadSessionStore {
  private readonly locks: KeyedMutex

  constructor(private readonly options: StoreUploadSessionsOptions) {
    this.locks = new KeyedMutex({ scope: 'oci-upload', leases: options.leases })
  }

  async start(repo: string): Promise<StoreUpload> {
    if ((await this.ids()).length >= MAX_UPLOAD_SESSIONS) await this.sweep()
    if ((await this.ids()).length >= MAX_UPLOAD_SESSIONS) throw tooManyUploads()
    const session = StoreUpload.create(this.options.store, repo, this.options.now())
    await this.options.store.putEntry(session.toEntry())
    return session
  }

  run<T>(repo: string, id: string, task: (session: StoreUpload) => Promise<T>): Promise<T> {
    return this.locks.run(id, async () => {
      const session = await this.live(repo, id)
      try {
        return await task(session)
      } finally {
        if (!session.closed) {
          session.lastActive = this.options.now()
          await this.options.store.putEntry(session.toEntry()).catch(() => {})
        }
      }
    })
  }

  async close(session: StoreUpload): Promise<void> {
    session.closed = true
    // The chunks stay until gc finds nothing holds them; the finished blob is their bytes anyway.
    try {
      await this.options.store.deleteEntry(hostedUploadKey(session.id))
    } finally {
      if (session.assembled) await discardSpooledFile({ path: session.assembled })
    }
  }

  async sweep(): Promise<number> {
    let swept = 0
    for (const id of await this.ids()) {
      const before = await this.options.store.getEntry(hostedUploadKey(id))
      if (!before || !this.isExpired(before.fetchedAt)) continue
      const gone = await this.locks.run(id, async () => {
        const entry = await this.options.store.getEntry(hostedUploadKey(id))
        if (!entry || !this.isExpired(entry.fetchedAt)) return false
        await this.options.store.deleteEntry(entry.key)
        return true
      })
      if (gone) swept++
    }
    return swept
  }

  startSweeping(onError: (error: unknown) => void): () => void {
    const timer = setInterval(() => void this.sweep().catch(onError), Math.min(this.options.expiryMs, 60_000))
    timer.unref()
    return () => clearInterval(timer)
  }

  private async live(repo: string, id: string): Promise<StoreUpload> {
    const entry = SESSION_ID.test(id) ? await this.options.store.getEntry(hostedUploadKey(id)) : undefined
    const session = entry ? StoreUpload.fromEntry(this.options.store, id, entry) : undefined
    if (session && this.isExpired(session.lastActive)) await this.options.store.deleteEntry(hostedUploadKey(id))
    else if (session && session.repo === repo) return session
    throw unknownUpload(id)
  }

  private isExpired(lastActive: number): boolean {
    return this.options.now() - lastActive > this.options.expiryMs
  }

  private async ids(): Promise<string[]> {
    const ids: string[] = []
    for await (const key of this.options.store.listEntries(HOSTED_UPLOAD_PREFIX)) ids.push(key.slice(HOSTED_UPLOAD_PREFIX.length))
    return ids
  }
}
