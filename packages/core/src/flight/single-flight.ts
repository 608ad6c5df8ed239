/** Single-flight: at most one running task per key; concurrent callers share its promise. */

/** The seam the caches coalesce through: in-process by default, a distributed lock for several replicas. */
export interface Flight<T> {
  run(key: string, task: () => Promise<T>): Promise<T>
}

/** What a cache coalesces: upstream work (which replicas may share) or local store reads (which they never need to). */
export type FlightPurpose = 'artifact-fill' | 'artifact-lookup' | 'index-fetch' | 'index-lookup'

export type FlightFactory = <T>(purpose: FlightPurpose) => Flight<T>

export const inProcessFlights: FlightFactory = <T>() => new SingleFlight<T>()

export class SingleFlight<T> implements Flight<T> {
  private readonly running = new Map<string, Promise<T>>()

  /** Runs `task` unless one is already running for `key`, in which case its result is shared. */
  run(key: string, task: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key)
    if (existing) return existing
    const promise = task().finally(() => {
      if (this.running.get(key) === promise) this.running.delete(key)
    })
    this.running.set(key, promise)
    return promise
  }

  get size(): number {
    return this.running.size
  }
}
