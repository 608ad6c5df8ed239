import { startPostgres, type PostgresServer } from '@larder/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HostedPackages } from '../hosted/hosted-packages.js'
import { createMemoryStore } from '../store/memory-store.js'
import { withEntryCache } from '../store/entry-cache.js'
import type { CacheStore } from '../store/types.js'
import { openDatabase, type Database } from './database.js'
import { withDatabaseIndex } from './entry-index.js'

let postgres: PostgresServer
const opened: Array<{ close(): Promise<void> }> = []
beforeAll(async () => {
  postgres = await startPostgres()
})
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close()
})
afterAll(async () => {
  await postgres?.cleanup()
})

/** A replica's store: its own entry cache over the shared database index (blobs in memory, enough for documents). */
function replicaStore(url: string, blobs: CacheStore): CacheStore {
  const db: Database = openDatabase({ url })
  opened.push(db)
  const index = withDatabaseIndex(blobs, db)
  return withEntryCache(index.store, { externalChanges: index.changes })
}

describe('hosted changes fenced on the document they began from', () => {
  it('refuses the commit of a replica whose lease was lost while another replica committed the name, and the retry sees that commit', async () => {
    const url = await postgres.createDatabase()
    const blobs = createMemoryStore()
    opened.push(blobs)
    // No leases: the two replicas both believe they hold the name, as when A's session (and lock) went away.
    const a = new HostedPackages({ store: replicaStore(url, blobs), documentPrefix: 'npm-private:packument:' })
    const b = new HostedPackages({ store: replicaStore(url, blobs), documentPrefix: 'npm-private:packument:' })
    let letACommit!: () => void
    let aBegan!: () => void
    const began = new Promise<void>((resolve) => (aBegan = resolve))
    const gate = new Promise<void>((resolve) => (letACommit = resolve))
    const stale = a.change('pkg', async () => {
      aBegan()
      await gate
      return a.commit('pkg', [], { fetchedAt: 1 }, Buffer.from('{"from":"a"}'))
    })
    await began
    await b.change('pkg', () => b.commit('pkg', [], { fetchedAt: 2 }, Buffer.from('{"from":"b"}')))
    letACommit()
    await expect(stale).rejects.toMatchObject({ code: 'E_CONFLICT' })
    expect((await a.document<{ from: string }>('pkg'))?.doc).toEqual({ from: 'b' })

    // Sent again, the change begins from B's document and goes through; two commits in one change are fine.
    await a.change('pkg', async () => {
      await a.commit('pkg', [], { fetchedAt: 3 }, Buffer.from('{"from":"a, again"}'))
      await a.commit('pkg', [], { fetchedAt: 4 }, Buffer.from('{"from":"a, twice"}'))
    })
    expect((await b.document<{ from: string }>('pkg'))?.doc).toEqual({ from: 'a, twice' })

    // A tombstone (an unpublish) is fenced the same way: B's publish meanwhile is not taken away.
    let letATombstone!: () => void
    const tombstoneGate = new Promise<void>((resolve) => (letATombstone = resolve))
    let aBeganAgain!: () => void
    const beganAgain = new Promise<void>((resolve) => (aBeganAgain = resolve))
    const staleTombstone = a.change('pkg', async () => {
      aBeganAgain()
      await tombstoneGate
      return a.commitEntry('pkg', [], { status: 'missing', fetchedAt: 5, meta: { unpublished: true } })
    })
    await beganAgain
    await b.change('pkg', () => b.commit('pkg', [], { fetchedAt: 6 }, Buffer.from('{"from":"b, later"}')))
    letATombstone()
    await expect(staleTombstone).rejects.toMatchObject({ code: 'E_CONFLICT' })
    expect((await a.document<{ from: string }>('pkg'))?.doc).toEqual({ from: 'b, later' })
  })
})
