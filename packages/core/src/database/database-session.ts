/**
 * One long-lived connection per process for what a pool cannot do: LISTEN, and advisory locks, which
 * belong to the session that took them (so a replica that dies releases its locks with its connection).
 */
import type pg from 'pg'
import { pgModule } from './pg-module.js'
import { LarderError } from '../errors/larder-error.js'
import { connectionSettings } from './connection-settings.js'

export const SESSION_RETRY_MIN_MS = 100
export const SESSION_RETRY_MAX_MS = 5_000
/** A session that answers no `SELECT 1` within a heartbeat is taken for lost (a half-open TCP connection). */
export const SESSION_HEARTBEAT_MS = 10_000

export interface DatabaseSessionOptions {
  connectionString: string
  heartbeatMs?: number
}

export class DatabaseSession {
  private client: pg.Client | undefined
  private connecting: Promise<pg.Client> | undefined
  private readonly channels = new Map<string, Array<(payload: string) => void>>()
  private readonly lostListeners: Array<(error: Error) => void> = []
  private readonly resumedListeners: Array<() => void> = []
  /** Set from the first failure until a connection is made again: what was sent meanwhile was not heard. */
  private lostBefore = false
  private retrying = false
  private closed = false
  private retryMs = SESSION_RETRY_MIN_MS
  private readonly heartbeat: NodeJS.Timeout

  constructor(private readonly options: DatabaseSessionOptions) {
    this.heartbeat = setInterval(() => void this.beat(), options.heartbeatMs ?? SESSION_HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  /** Whether the session is connected now (writes do not wait for their notification while it is not). */
  get up(): boolean {
    return this.client !== undefined
  }

  /** Runs one statement on the session, connecting first if needed. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const client = await this.connected()
    try {
      return await client.query<R>(text, values)
    } catch (err) {
      // A timeout means the connection can no longer be trusted: its locks may be gone without a word.
      if (/timeout/i.test((err as Error).message)) this.lose(client, err as Error)
      throw err
    }
  }

  /** Calls `listener` with every payload sent on `channel`; resolves once the session listens (LISTEN again after a reconnect). */
  async listen(channel: string, listener: (payload: string) => void): Promise<void> {
    const listeners = this.channels.get(channel)
    if (listeners) listeners.push(listener)
    else this.channels.set(channel, [listener])
    // LISTEN twice is harmless; connecting LISTENs to every channel known by then.
    await this.query(`LISTEN ${pgModule().escapeIdentifier(channel)}`)
  }

  /** Told when the connection was lost: the locks it held are gone, and notifications are missed until it is back. */
  onLost(listener: (error: Error) => void): void {
    this.lostListeners.push(listener)
  }

  /** Told when a lost connection is back (LISTEN again): what was sent in between was not heard. */
  onResumed(listener: () => void): void {
    this.resumedListeners.push(listener)
  }

  /** The connected client, connecting first if needed. */
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
    clearInterval(this.heartbeat)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => {})
  }

  private async connect(): Promise<pg.Client> {
    const client = new (pgModule().Client)(connectionSettings(this.options.connectionString, 'larder-session'))
    client.on('error', (error) => this.lose(client, error))
    client.on('end', () => this.lose(client, new Error('the database closed the session')))
    client.on('notification', ({ channel, payload }) => {
      for (const listener of this.channels.get(channel) ?? []) listener(payload ?? '')
    })
    try {
      await client.connect()
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${pgModule().escapeIdentifier(channel)}`)
    } catch (err) {
      client.removeAllListeners('end')
      client.removeAllListeners('error')
      client.on('error', () => {})
      await client.end().catch(() => {})
      this.failed(err as Error)
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

  private async beat(): Promise<void> {
    const client = this.client
    if (!client) return
    await client.query('SELECT 1').catch((err: Error) => this.lose(client, err))
  }

  private lose(client: pg.Client, error: Error): void {
    if (this.client !== client) return
    this.client = undefined
    void client.end().catch(() => {})
    this.failed(error)
  }

  /** The session is down (lost, or could not be opened): listeners hear it once, and it is tried again in the background. */
  private failed(error: Error): void {
    if (this.closed) return
    if (!this.lostBefore) {
      this.lostBefore = true
      for (const listener of this.lostListeners) listener(error)
    }
    if (this.retrying) return
    this.retrying = true
    const retry = () => {
      if (this.closed || this.client) {
        this.retrying = false
        return
      }
      this.connected().then(
        () => {
          this.retrying = false
        },
        () => {
          this.retryMs = Math.min(this.retryMs * 2, SESSION_RETRY_MAX_MS)
          setTimeout(retry, this.retryMs).unref()
        },
      )
    }
    setTimeout(retry, this.retryMs).unref()
  }
}
