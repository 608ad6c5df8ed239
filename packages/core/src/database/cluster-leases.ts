/**
 * Leases across replicas: a PostgreSQL advisory lock per key, held by this process's session, so a replica
 * that dies (or loses its connection) releases what it held. A release is announced so waiters elsewhere
 * try at once; a holder that died announces nothing, so waiters also try again every POLL_MS.
 */
import { createHash } from 'node:crypto'
import { LarderError } from '../errors/larder-error.js'
import type { HostLeases, ReleaseLease } from '../workers/host-leases.js'
import { type Database, storeError } from './database.js'

export const LEASE_CHANNEL = 'larder_leases'
export const DEFAULT_LEASE_POLL_MS = 250
/**
 * A holder alive but stuck (its connection open, its work not moving) is waited for this long, then the
 * waiter gives up with an error rather than hanging its client. Fills end within the upstream deadline,
 * so services pass that.
 */
export const DEFAULT_LEASE_MAX_WAIT_MS = 3_600_000

export interface ClusterLeases extends HostLeases {
  /** True when the caller may run this interval's round of `key` (and it is marked as run now). */
  claimRound(key: string, intervalMs: number): Promise<boolean>
  /** The lease when no one holds it, else undefined at once (for chores that one replica should run). */
  tryAcquire(key: string): Promise<ReleaseLease | undefined>
  /** Acquires waiting now because another replica holds the key (a fill this replica will not repeat). */
  readonly waiting: number
}

/** A lock id from a key: the first 8 bytes of its sha256, as the signed bigint advisory locks take. */
export function lockIdOf(key: string): string {
  return createHash('sha256').update(key).digest().readBigInt64BE(0).toString()
}

export function createClusterLeases(db: Database, options: { pollMs?: number; maxWaitMs?: number } = {}): ClusterLeases {
  const pollMs = options.pollMs ?? DEFAULT_LEASE_POLL_MS
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_LEASE_MAX_WAIT_MS
  // Advisory locks are re-entrant within a session: this process's own holders must queue here first.
  const local = new Map<string, Promise<void>>()
  const wakers = new Map<string, Set<() => void>>()
  let waiting = 0
  let listening: Promise<void> | undefined
  const listen = () => {
    listening ??= db.session
      .listen(LEASE_CHANNEL, (id) => {
        for (const wake of wakers.get(id) ?? []) wake()
      })
      .catch((err) => {
        listening = undefined
        throw err
      })
    return listening
  }

  const tryLock = async (id: string): Promise<boolean> => {
    const { rows } = await db.session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [id])
    return rows[0]?.locked === true
  }
  const unlock = (id: string) =>
    db.session.query(`SELECT pg_advisory_unlock($1::bigint), pg_notify('${LEASE_CHANNEL}', $2)`, [id, id]).catch(() => {
      // The session is gone, and the lock with it.
    })

  const waitForRelease = (id: string) =>
    new Promise<void>((resolve) => {
      let set = wakers.get(id)
      if (!set) wakers.set(id, (set = new Set()))
      const wake = () => {
        clearTimeout(timer)
        set.delete(wake)
        if (set.size === 0) wakers.delete(id)
        resolve()
      }
      const timer = setTimeout(wake, pollMs)
      set.add(wake)
    })

  /** Queues behind this process's holders of `key`; resolves with the function that lets the next one in. */
  const queueLocally = async (key: string) => {
    const previous = local.get(key) ?? Promise.resolve()
    let letNextIn!: () => void
    const mine = new Promise<void>((resolve) => {
      letNextIn = resolve
    })
    const tail = previous.then(() => mine)
    local.set(key, tail)
    await previous
    return () => {
      letNextIn()
      if (local.get(key) === tail) local.delete(key)
    }
  }

  const holding = (id: string, letNextIn: () => void): ReleaseLease => {
    let released = false
    return () => {
      if (released) return
      released = true
      void unlock(id).finally(letNextIn)
    }
  }

  return {
    get waiting() {
      return waiting
    },

    async acquire(key) {
      const id = lockIdOf(key)
      const letNextIn = await queueLocally(key)
      try {
        await listen()
        if (!(await tryLock(id))) {
          waiting++
          const giveUpAt = Date.now() + maxWaitMs
          try {
            do {
              if (Date.now() >= giveUpAt) {
                throw new LarderError('E_STORE', `another replica has held ${JSON.stringify(key.slice(0, 80))} for over ${Math.round(maxWaitMs / 1000)} s`, {
                  hint: 'look for a replica that is stuck (its log, /metrics larder_active_fills) and restart it; its locks go with its database session',
                })
              }
              await waitForRelease(id)
            } while (!(await tryLock(id)))
          } finally {
            waiting--
          }
        }
      } catch (err) {
        letNextIn()
        throw storeError(db.where, `taking the lease on ${JSON.stringify(key.slice(0, 80))}`, err)
      }
      return holding(id, letNextIn)
    },

    async claimRound(key, intervalMs) {
      // One statement: the row is taken only if the last round is older than the interval.
      const { rowCount } = await db.query(
        `INSERT INTO larder_chores (name, ran_at) VALUES ($1, now())
         ON CONFLICT (name) DO UPDATE SET ran_at = now() WHERE larder_chores.ran_at < now() - make_interval(secs => $2::double precision)`,
        [key, intervalMs / 1000],
      )
      return rowCount === 1
    },

    async tryAcquire(key) {
      if (local.has(key)) return undefined
      const id = lockIdOf(key)
      const letNextIn = await queueLocally(key)
      try {
        if (await tryLock(id)) return holding(id, letNextIn)
      } catch (err) {
        letNextIn()
        throw storeError(db.where, `taking the lease on ${JSON.stringify(key.slice(0, 80))}`, err)
      }
      letNextIn()
      return undefined
    },
  }
}
