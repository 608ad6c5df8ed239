/**
 * One long-lived connection per process for what a pool cannot do: LISTEN, and advisory locks, which
 * belong to the session that took them (so a replica that dies releases its locks with its connection).
 */
import pg from 'pg'
import { LarderError } from '../errors/larder-error.js'

export const SESSION_RETRY_MIN_MS = 100
export const SESSION_RETRY_MAX_MS = 5_000

export interface DatabaseSessionOptions {
  connectionString: string
}

export class DatabaseSession {
  private client: pg.Client | undefined
  private connecting: Promise<pg.Client> | undefined
  private readonly channels = new Map<string, Array<(payload: string) => void>>()
  private readonly lostListeners: Array<(error: Error) => void> = []
  private readonly resumedListeners: Array<() => void> = []
  private lostBefore = false
  private closed = false
  private retryMs = SESSION_RETRY_MIN_MS

  constructor(private readonly options: DatabaseSessionOptions) {}

  /** Runs one statement on the session, connecting first if needed. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const client = await this.connected()
    return client.query<R>(text, values)
  }

  /** Calls `listener` with every payload sent on `channel` (LISTEN is sent again after a reconnect). */
  async listen(channel: string, listener: (payload: string) => void): Promise<void> {
    const listeners = this.channels.get(channel)
    if (listeners) {
      listeners.push(listener)
      return
    }
    this.channels.set(channel, [listener])
    if (this.client) await this.client.query(`LISTEN ${quoteIdentifier(channel)}`)
    else await this.connected()
  }

  /** Told when the connection was lost: the locks it held are gone, and notifications are missed until it is back. */
  onLost(listener: (error: Error) => void): void {
    this.lostListeners.push(listener)
  }

  /** Told when a lost connection is back (LISTEN again): what was sent in between was not heard. */
  onResumed(listener: () => void): void {
    this.resumedListeners.push(listener)
  }

  /** Connects now (a replica that cannot reach its database should say so at start). */
  async connected(): Promise<pg.Client> {
    if (this.closed) throw new LarderError('E_STORE', 'the database session is closed')
    if (this.client) return this.client
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined
    })
    return this.connecting
  }

  async close(): Promise<void> {
    this.closed = true
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => {})
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: 'larder-session' })
    client.on('error', (error) => this.lose(client, error))
    client.on('end', () => this.lose(client, new Error('the database closed the session')))
    client.on('notification', ({ channel, payload }) => {
      for (const listener of this.channels.get(channel) ?? []) listener(payload ?? '')
    })
    try {
      await client.connect()
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${quoteIdentifier(channel)}`)
    } catch (err) {
      client.removeAllListeners('end')
      await client.end().catch(() => {})
      throw new LarderError('E_STORE', `cannot open a database session: ${(err as Error).message}`, {
        cause: err,
        hint: 'check LARDER_DATABASE_URL and that PostgreSQL is up',
      })
    }
    this.retryMs = SESSION_RETRY_MIN_MS
    this.client = client
    if (this.lostBefore) {
      this.lostBefore = false
      for (const listener of this.resumedListeners) listener()
    }
    return client
  }

  private lose(client: pg.Client, error: Error): void {
    if (this.client !== client) return
    this.client = undefined
    void client.end().catch(() => {})
    if (this.closed) return
    this.lostBefore = true
    for (const listener of this.lostListeners) listener(error)
    // Listeners must hear again soon, even when nothing queries: reconnect in the background.
    const retry = () => {
      if (this.closed || this.client) return
      this.connected().catch(() => {
        this.retryMs = Math.min(this.retryMs * 2, SESSION_RETRY_MAX_MS)
        setTimeout(retry, this.retryMs).unref()
      })
    }
    setTimeout(retry, this.retryMs).unref()
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
