/**
 * Host-wide leases: at most one holder per key among the worker processes of one host, so a fill, an
 * index refresh or a hosted change happens once however many workers were asked. One process needs none.
 */

/** Gives back a lease; calling it twice is harmless. */
export type ReleaseLease = () => void

export interface HostLeases {
  /** Resolves once this process holds `key`; holders that die are released by the primary. */
  acquire(key: string): Promise<ReleaseLease>
}

/** Runs `task` holding `key` when there are leases to take, else simply runs it. */
export async function withHostLease<T>(leases: HostLeases | undefined, key: string, task: () => Promise<T>): Promise<T> {
  if (!leases) return task()
  const release = await leases.acquire(key)
  try {
    return await task()
  } finally {
    release()
  }
}

/** The primary's book of leases: who holds each key and who waits, in order. */
export class LeaseBook {
  private readonly holders = new Map<string, { owner: number; token: number; waiting: Array<{ owner: number; grant: (token: number) => void }> }>()
  private readonly byToken = new Map<number, string>()
  private nextToken = 1

  /** Resolves with a token once `owner` holds `key`. */
  acquire(owner: number, key: string): Promise<number> {
    const held = this.holders.get(key)
    if (!held) return Promise.resolve(this.grant(key, owner, []))
    return new Promise((resolve) => held.waiting.push({ owner, grant: resolve }))
  }

  release(token: number): void {
    const key = this.byToken.get(token)
    if (key === undefined) return
    this.byToken.delete(token)
    const held = this.holders.get(key)
    if (!held || held.token !== token) return
    this.holders.delete(key)
    const next = held.waiting.shift()
    if (next) next.grant(this.grant(key, next.owner, held.waiting))
  }

  /** A worker has gone: what it held passes on, and it waits for nothing. */
  releaseOwner(owner: number): void {
    for (const held of this.holders.values()) held.waiting = held.waiting.filter((waiter) => waiter.owner !== owner)
    for (const [token, key] of [...this.byToken]) if (this.holders.get(key)?.owner === owner) this.release(token)
  }

  get size(): number {
    return this.holders.size
  }

  private grant(key: string, owner: number, waiting: Array<{ owner: number; grant: (token: number) => void }>): number {
    const token = this.nextToken++
    this.holders.set(key, { owner, token, waiting })
    this.byToken.set(token, key)
    return token
  }
}
