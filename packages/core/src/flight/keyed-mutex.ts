/** Runs tasks one at a time per key (e.g. per package name, so two uploads cannot both take one version). */
import { withHostLease, type HostLeases } from '../workers/host-leases.js'

export interface KeyedMutexOptions {
  /** Under LARDER_WORKERS: one at a time across the host's workers too, not only in this process. */
  leases?: HostLeases | undefined
  /** Names what is locked, so two mutexes' keys never share a lease. */
  scope?: string
}

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>()

  constructor(private readonly options: KeyedMutexOptions = {}) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const { leases, scope = 'mutex' } = this.options
    const next = previous.catch(() => {}).then(() => withHostLease(leases, `${scope}:${key}`, task))
    this.tails.set(key, next)
    void next
      .catch(() => {})
      .finally(() => {
        if (this.tails.get(key) === next) this.tails.delete(key)
      })
    return next
  }

  /** Keys with a task running or queued. */
  get size(): number {
    return this.tails.size
  }
}
