/** Runs tasks one at a time per key (e.g. per package name, so two uploads cannot both take one version). */

export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const next = previous.catch(() => {}).then(task)
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
