/** Single-flight: at most one running task per key; concurrent callers share its promise. */

export class SingleFlight<T> {
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
