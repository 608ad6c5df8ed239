/** Lets at most N tasks run at once; the others wait their turn (e.g. parsing multi-MB documents, which holds them in memory). */
import { LarderError } from '../errors/index.js'

export class ConcurrencyLimit {
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new LarderError('E_INVALID_OPTION', `limit must be a positive integer, got ${limit}`)
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.running++
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
      if (next) next()
      else this.running--
    }
  }

  get active(): number {
    return this.running
  }
}
