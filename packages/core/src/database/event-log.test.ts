import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPostgres, type PostgresServer } from '@larder/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createPublishEvents, type PublishEvents } from '../events/publish-events.js'
import type { EventInput, PublishEvent } from '../events/publish-event.js'
import { createLogger } from '../log/index.js'
import { openDatabase, type Database } from './database.js'
import { openDatabaseEventLog } from './event-log.js'
import { databaseReceiverCursors } from './webhook-cursors.js'

const logger = createLogger({ level: 'silent' })
const input = (name: string): EventInput => ({ type: 'publish', ecosystem: 'npm', name, version: '1.0.0', by: 'ci' })
const RETENTION_MS = 86_400_000

let postgres: PostgresServer
let dir: string
beforeAll(async () => {
  postgres = await startPostgres()
  dir = await mkdtemp(join(tmpdir(), 'larder-db-events-'))
})
afterAll(async () => {
  await postgres?.cleanup()
  await rm(dir, { recursive: true, force: true })
})

const opened: Database[] = []
const events: PublishEvents[] = []
afterEach(async () => {
  for (const each of events.splice(0)) await each.close()
  for (const db of opened.splice(0)) await db.close()
})
const database = (url: string) => {
  const db = openDatabase({ url })
  opened.push(db)
  return db
}

/** A replica's publish events on the database, sending to `webhook` and renewing its claim every 100 ms. */
function databaseEvents(db: Database, webhook: string, claimMs?: number): PublishEvents {
  const each = createPublishEvents({
    dir,
    webhooks: [webhook],
    logger,
    openLog: () => openDatabaseEventLog(db, { retentionMs: RETENTION_MS }),
    cursorFor: databaseReceiverCursors(db, claimMs ? { claimMs } : {}),
    claimRenewMs: 100,
    firstRetryMs: 50,
  })
  events.push(each)
  return each
}

/** A real receiver that counts every POST by event id (200 to each). */
async function startReceiver() {
  const posts = new Map<string, number>()
  const waiting: Array<{ count: number; resolve: () => void }> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PublishEvent
      posts.set(event.id, (posts.get(event.id) ?? 0) + 1)
      res.writeHead(200, { connection: 'close' }).end()
      for (const w of waiting.filter((w) => posts.size >= w.count)) w.resolve()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    posts,
    received: (count: number) => (posts.size >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve }))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe('the database event log', () => {
  it('numbers the appends of two replicas in one gapless order that both read, and tells each of the other', async () => {
    const url = await postgres.createDatabase()
    const a = await openDatabaseEventLog(database(url), { retentionMs: RETENTION_MS })
    const b = await openDatabaseEventLog(database(url), { retentionMs: RETENTION_MS })
    expect(b.id).toBe(a.id)
    const bHeard = new Promise<void>((resolve) => {
      const stop = b.onAppend(() => {
        if (b.lastSeq >= 20) {
          stop()
          resolve()
        }
      })
    })
    const appended = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).append(input(`p${i}`))))
    await bHeard
    const seqs = appended.map((event) => Number(event.id.split('-')[1])).sort((x, y) => x - y)
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    const readA = await a.read(0, 100)
    const readB = await b.read(5, 100)
    expect(readA.map((event) => event.id)).toEqual(seqs.map((seq) => `${a.id}-${seq}`))
    expect(readB).toEqual(readA.slice(5))
    expect(readA.find((event) => event.name === 'p3')).toMatchObject({ type: 'publish', ecosystem: 'npm', version: '1.0.0', files: [] })
  })

  it('has one replica send each event to a receiver once, and another take the receiver over when that replica dies', async () => {
    const url = await postgres.createDatabase()
    const receiver = await startReceiver()
    const replica = () => {
      const db = database(url)
      return { db, events: databaseEvents(db, receiver.url, 1_000) }
    }
    const a = replica()
    const b = replica()
    // A receiver first seen starts after the newest event, so 'before' is never sent.
    await a.events.record(input('before'))
    await a.events.startDelivery()
    await a.events.record(input('first-0'))
    await receiver.received(1)
    // A is the sender now; B asks for the receiver and is told no while A renews its claim.
    await b.events.startDelivery()
    for (let i = 1; i < 10; i++) await (i % 2 ? a : b).events.record(input(`first-${i}`))
    await receiver.received(10)
    const holders = await b.db.query<{ holder: string }>('SELECT holder FROM larder_webhooks')
    expect(holders.rows).toHaveLength(1)

    // A's database goes away without a word (its process is dying): its claim runs out and B takes over.
    await a.db.close()
    for (let i = 0; i < 5; i++) await b.events.record(input(`after-${i}`))
    await receiver.received(15)
    expect(receiver.posts.size).toBe(15)
    expect([...receiver.posts.values()].every((n) => n === 1)).toBe(true)
    expect((await b.db.query<{ holder: string }>('SELECT holder FROM larder_webhooks')).rows[0]!.holder).not.toBe(holders.rows[0]!.holder)
    expect((await b.events.list(undefined, 100)).events.map((event) => event.name)).toEqual([
      'before',
      ...Array.from({ length: 10 }, (_, i) => `first-${i}`),
      ...Array.from({ length: 5 }, (_, i) => `after-${i}`),
    ])
    await receiver.stop()
  })

  it('starts while the database is down and delivers once it is back', async () => {
    const url = await postgres.createDatabase()
    const receiver = await startReceiver()
    await postgres.stop()
    const each = databaseEvents(database(url), receiver.url)
    await each.startDelivery()
    await postgres.start()
    // Delivery opens the log on its next try (DELIVERY_RETRY_MS) and starts at the newest event, so record until one arrives.
    for (let i = 0; receiver.posts.size === 0; i++) {
      await each.record(input(`after-outage-${i}`))
      await Promise.race([receiver.received(1), new Promise((resolve) => setTimeout(resolve, 500))])
    }
    expect(receiver.posts.size).toBeGreaterThan(0)
    await receiver.stop()
  }, 30_000)
})
