import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../temp/wait-for.js'
import { type PostgresServer, startPostgres } from './postgres-server.js'

let server: PostgresServer
const clients: pg.Client[] = []

beforeAll(async () => {
  server = await startPostgres()
})

afterAll(async () => {
  for (const client of clients) await client.end().catch(() => {})
  await server?.cleanup()
})

/** A connected client, ended after the tests; errors (a killed server) are expected and must not crash the run. */
async function connect(connectionString: string = server.url): Promise<pg.Client> {
  const client = new pg.Client({ connectionString })
  client.on('error', () => {})
  clients.push(client)
  await client.connect()
  return client
}

describe('startPostgres', () => {
  it('runs PostgreSQL 15 on loopback with trust auth', async () => {
    expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
    const client = await connect()
    const { rows } = await client.query<{ version: string; answer: number }>('SELECT version() AS version, 6 * 7 AS answer')
    expect(rows[0]?.version, server.output()).toMatch(/^PostgreSQL 15\./)
    expect(rows[0]?.answer).toBe(42)
  })

  it('creates fresh databases, named or random', async () => {
    const named = await server.createDatabase('larder_named')
    expect(named).toBe(server.url.replace(/\/postgres$/, '/larder_named'))
    const client = await connect(named)
    expect((await client.query('SELECT current_database() AS db')).rows[0]?.db).toBe('larder_named')
    const [first, second] = await Promise.all([server.createDatabase(), server.createDatabase()])
    expect(first).not.toBe(second)
    await connect(first)
    await expect(server.createDatabase('larder_named')).rejects.toThrow(/already exists/)
    await expect(server.createDatabase('bad"name')).rejects.toThrow(/not a plain database name/)
  })

  it('holds a session advisory lock until the holding connection is destroyed', async () => {
    const holder = await connect()
    const other = await connect()
    await holder.query('SELECT pg_advisory_lock(4242)')
    expect((await other.query('SELECT pg_try_advisory_lock(4242) AS got')).rows[0]?.got).toBe(false)
    // A dropped socket, not a polite end(): the backend notices the close and releases the session's locks.
    holder.connection.stream.destroy()
    await waitFor(async () => (await other.query('SELECT pg_try_advisory_lock(4242) AS got')).rows[0]?.got === true, {
      description: 'the advisory lock to be released',
    })
    await other.query('SELECT pg_advisory_unlock(4242)')
  })

  it('delivers NOTIFY to a listening client', async () => {
    const listener = await connect()
    const notifier = await connect()
    await listener.query('LISTEN larder_events')
    const received = new Promise<pg.Notification>((resolve) => listener.once('notification', resolve))
    await notifier.query("SELECT pg_notify('larder_events', 'hello')")
    expect(await received).toMatchObject({ channel: 'larder_events', payload: 'hello' })
  })

  it('keeps the data through stop()/start() and recovers after kill()', async () => {
    const writer = await connect()
    await writer.query('CREATE TABLE outage (note text)')
    await writer.query("INSERT INTO outage VALUES ('before the outage')")
    await server.stop()
    await expect(connect()).rejects.toThrow()
    await expect(server.createDatabase()).rejects.toThrow(/stopped/)
    await server.start()
    expect((await (await connect()).query('SELECT note FROM outage')).rows).toEqual([{ note: 'before the outage' }])

    const victim = await connect()
    const lost = new Promise((resolve) => victim.once('end', resolve))
    await server.kill()
    await lost
    await server.start()
    // The row was flushed by the shutdown checkpoint, so crash recovery keeps it whatever synchronous_commit says.
    expect((await (await connect()).query('SELECT note FROM outage')).rows, server.output()).toEqual([{ note: 'before the outage' }])
    expect(server.output()).toMatch(/database system was interrupted/)
  })

  it('starts several independent servers in one process', async () => {
    const [one, two] = await Promise.all([startPostgres(), startPostgres()])
    try {
      expect(one.port).not.toBe(server.port)
      expect(one.port).not.toBe(two.port)
      const client = await connect(two.url)
      expect((await client.query('SELECT 1 AS one')).rows[0]?.one).toBe(1)
    } finally {
      await Promise.all([one.cleanup(), two.cleanup()])
    }
    await expect(connect(one.url)).rejects.toThrow()
  })

  it('fails with the server log when the server cannot start', async () => {
    await expect(startPostgres({ settings: { shared_buffers: 'plenty' } })).rejects.toThrow(/did not start[\s\S]*invalid value for parameter "shared_buffers"/)
  })
})
