import { createServer, type Socket } from 'node:net'
import { startPostgres, waitFor, type PostgresServer } from '@larder/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runStoreComplianceSuite } from '../store/compliance.suite.js'
import { withEntryCache } from '../store/entry-cache.js'
import { createMemoryStore } from '../store/memory-store.js'
import type { CacheStore } from '../store/types.js'
import { createClusterLeases } from './cluster-leases.js'
import { DEFAULT_DATABASE_CONNECT_TIMEOUT_MS } from './connection-settings.js'
import { openDatabase, type Database } from './database.js'
import { withDatabaseIndex } from './entry-index.js'

let postgres: PostgresServer
beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await postgres?.cleanup()
})

runStoreComplianceSuite(
  'postgres index over memory blobs',
  async () => {
    const url = await postgres.createDatabase()
    const blobs = createMemoryStore()
    const db = openDatabase({ url })
    const { store } = withDatabaseIndex(blobs, db)
    return {
      store,
      cleanup: () => db.close(),
      // A second replica: its own connections, the same tables and the same blobs.
      openTwin: () => {
        const twinDb = openDatabase({ url })
        return { ...withDatabaseIndex(blobs, twinDb).store, close: () => twinDb.close() }
      },
    }
  },
  { atomicBatches: true },
)

/** One replica as the server builds it: the database index with the entry cache in front, told of others' writes. */
function replica(url: string): { store: CacheStore; db: Database; close(): Promise<void> } {
  const db = openDatabase({ url })
  const index = withDatabaseIndex(createMemoryStore(), db)
  const store = withEntryCache(index.store, { externalChanges: index.changes })
  return { store, db, close: () => store.close().then(() => db.close()) }
}

describe('replicas on one database', () => {
  const opened: Array<{ close(): Promise<void> }> = []
  const open = (url: string) => {
    const one = replica(url)
    opened.push(one)
    return one
  }
  afterEach(async () => {
    for (const one of opened.splice(0)) await one.close()
  })

  // In one process both sessions' notifications arrive on the same event loop, so "at once" here means
  // within the notification's delivery: never the entry cache's lifetime, which has no end of its own.
  const heardWithin = { timeoutMs: 2_000, intervalMs: 5 }

  it('sees a key another replica wrote as soon as the notification arrives, although it had cached the key as absent', async () => {
    const url = await postgres.createDatabase()
    const a = open(url)
    const b = open(url)
    expect(await b.store.getEntry('npm:private-name')).toBeUndefined()
    expect(await b.store.getEntry('npm:private-name')).toBeUndefined()
    await a.store.putEntry({ key: 'npm:private-name', status: 'ok', fetchedAt: 1, meta: { hosted: true } })
    const seen = await waitFor(() => b.store.getEntry('npm:private-name'), { ...heardWithin, description: 'b seeing the new entry' })
    expect(seen).toEqual({ key: 'npm:private-name', status: 'ok', fetchedAt: 1, meta: { hosted: true } })
    await a.store.putEntry({ key: 'npm:private-name', status: 'ok', fetchedAt: 2 })
    await waitFor(async () => (await b.store.getEntry('npm:private-name'))?.fetchedAt === 2, { ...heardWithin, description: 'b seeing the change' })
    await a.store.deleteEntry('npm:private-name')
    await waitFor(async () => (await b.store.getEntry('npm:private-name')) === undefined, { ...heardWithin, description: 'b seeing the delete' })
  })

  it('forgets what it cached when its session is lost, and hears changes again once it is back', async () => {
    const url = await postgres.createDatabase()
    const a = open(url)
    const b = open(url)
    await a.store.putEntry({ key: 'npm:cached', status: 'ok', fetchedAt: 1 })
    expect((await b.store.getEntry('npm:cached'))?.fetchedAt).toBe(1)
    const { rows } = await b.db.session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    const lost = new Promise<void>((resolve) => b.db.session.onLost(() => resolve()))
    const resumed = new Promise<void>((resolve) => b.db.session.onResumed(() => resolve()))
    await a.db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])
    await lost
    // Written while b cannot hear: b must not answer from what it cached before.
    await a.store.putEntry({ key: 'npm:cached', status: 'ok', fetchedAt: 2 })
    expect((await b.store.getEntry('npm:cached'))?.fetchedAt).toBe(2)
    await resumed
    await a.store.putEntry({ key: 'npm:cached', status: 'ok', fetchedAt: 3 })
    await waitFor(async () => (await b.store.getEntry('npm:cached'))?.fetchedAt === 3, { ...heardWithin, description: 'b hearing changes again' })
  })

  it('reports a database that cannot be reached as E_STORE naming it', async () => {
    const db = openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none' })
    opened.push(db)
    const { store } = withDatabaseIndex(createMemoryStore(), db)
    await expect(store.getEntry('npm:x')).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringContaining('127.0.0.1:1/none') })
    await expect(store.probe()).rejects.toMatchObject({ code: 'E_STORE' })
  })

  it('fails, rather than hangs, when the database accepts connections and never answers', async () => {
    const sockets: Socket[] = []
    const silent = createServer((socket) => void sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    try {
      const db = openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/silent` })
      opened.push(db)
      const { store } = withDatabaseIndex(createMemoryStore(), db)
      const started = Date.now()
      const outcomes = await Promise.allSettled([store.getEntry('npm:x'), createClusterLeases(db).acquire('fill:npm:x')])
      for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'E_STORE' } })
      expect(Date.now() - started).toBeLessThan(DEFAULT_DATABASE_CONNECT_TIMEOUT_MS * 2)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  it('serves again once the database is back after an outage', async () => {
    const url = await postgres.createDatabase()
    const a = open(url)
    await a.store.putEntry({ key: 'npm:survivor', status: 'ok', fetchedAt: 1 })
    await postgres.stop()
    try {
      await expect(a.store.putEntry({ key: 'npm:during', status: 'ok', fetchedAt: 1 })).rejects.toMatchObject({ code: 'E_STORE' })
    } finally {
      await postgres.start()
    }
    await waitFor(async () => (await a.store.getEntry('npm:survivor').catch(() => undefined))?.fetchedAt === 1, { timeoutMs: 20_000 })
    await a.store.putEntry({ key: 'npm:after', status: 'ok', fetchedAt: 5 })
    expect((await a.store.getEntry('npm:after'))?.fetchedAt).toBe(5)
  })
})
