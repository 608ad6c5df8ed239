import { startPostgres, type PostgresServer } from '@larder/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runAlone } from '../maintenance/chore-lock.js'
import { createClusterLeases, lockIdOf } from './cluster-leases.js'
import { openDatabase, type Database } from './database.js'

let postgres: PostgresServer
beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await postgres?.cleanup()
})

describe('cluster leases', () => {
  const opened: Database[] = []
  let url: string
  const replica = () => {
    const db = openDatabase({ url })
    opened.push(db)
    return { db, leases: createClusterLeases(db, { pollMs: 100 }) }
  }
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close()
  })
  beforeAll(async () => {
    url = await postgres.createDatabase()
  })

  it('lets one replica hold a key at a time, and the next in as soon as it is released', async () => {
    const a = replica()
    const b = replica()
    const order: string[] = []
    const releaseA = await a.leases.acquire('fill:npm:left-pad')
    const bWaits = b.leases.acquire('fill:npm:left-pad').then((release) => {
      order.push('b holds')
      return release
    })
    expect(await b.leases.tryAcquire('fill:npm:left-pad')).toBeUndefined()
    expect(await a.leases.tryAcquire('fill:npm:left-pad')).toBeUndefined()
    order.push('a releases')
    releaseA()
    const releaseB = await bWaits
    expect(order).toEqual(['a releases', 'b holds'])
    // Other keys were never blocked.
    const other = await a.leases.tryAcquire('fill:npm:other')
    expect(other).toBeDefined()
    other!()
    releaseB()
  })

  it('queues holders within one process too (advisory locks alone would let the same session in twice)', async () => {
    const a = replica()
    const first = await a.leases.acquire('mutex:x')
    let secondHeld = false
    const second = a.leases.acquire('mutex:x').then((release) => {
      secondHeld = true
      return release
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(secondHeld).toBe(false)
    first()
    ;(await second)()
    expect(secondHeld).toBe(true)
  })

  it('passes the lease on when the holder dies (its session ends)', async () => {
    const a = replica()
    const b = replica()
    await a.leases.acquire('fill:npm:crash')
    const { rows } = await a.db.session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    const bWaits = b.leases.acquire('fill:npm:crash')
    await b.db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])
    const release = await bWaits
    await waitForHolder(b, 'fill:npm:crash')
    release()
  })

  it('runs a chore on one replica at a time: while A collects garbage, B skips the round, and runs the next', async () => {
    const a = replica()
    const b = replica()
    let finishA!: () => void
    const aRuns = runAlone(a.leases, 'chore:gc', () => new Promise<string>((resolve) => (finishA = () => resolve('a collected'))))
    await waitForHolder(b, 'chore:gc')
    expect(await runAlone(b.leases, 'chore:gc', async () => 'b collected')).toBe('skipped')
    finishA()
    expect(await aRuns).toBe('a collected')
    // The next round comes minutes later; here, once A's unlock has reached the database.
    await waitForHolder(b, 'chore:gc', false)
    expect(await runAlone(b.leases, 'chore:gc', async () => 'b collected')).toBe('b collected')
  })
})

describe('chore rounds', () => {
  it('makes one round per interval between all replicas, and another once the interval has passed', async () => {
    const url = await postgres.createDatabase()
    const a = openDatabase({ url })
    const b = openDatabase({ url })
    try {
      const [leasesA, leasesB] = [createClusterLeases(a), createClusterLeases(b)]
      expect(await runAlone(leasesA, 'chore:gc', async () => 'a collected', 3_600_000)).toBe('a collected')
      expect(await runAlone(leasesB, 'chore:gc', async () => 'b collected', 3_600_000)).toBe('skipped')
      // Eviction keeps its own rounds.
      expect(await runAlone(leasesB, 'chore:evict', async () => 'b evicted', 3_600_000)).toBe('b evicted')
      // The round A made is older than a 1 ms interval by now.
      await a.query("UPDATE larder_chores SET ran_at = now() - interval '1 second' WHERE name = 'chore:gc'")
      expect(await runAlone(leasesB, 'chore:gc', async () => 'b collected', 1)).toBe('b collected')
    } finally {
      await a.close()
      await b.close()
    }
  })
})

/** Resolves once someone holds `key` (or, with held false, nobody does), as `observer`'s database sees it. */
async function waitForHolder(observer: { db: Database }, key: string, held = true): Promise<void> {
  for (;;) {
    const { rows } = await observer.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1::bigint",
      [lockIdOf(key)],
    )
    if (Number(rows[0]!.n) > 0 === held) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
