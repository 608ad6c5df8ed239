/**
 * The publish events of every replica in one PostgreSQL table: appends take a transaction lock and number the
 * event max+1, so sequence order is commit order and a reader past seq N never misses a later commit below N.
 * Each append NOTIFYs at commit, so every replica's webhook sender and pollers hear of it at once.
 */
import { randomBytes } from 'node:crypto'
import type { EventLog } from '../events/event-log.js'
import type { PublishEvent } from '../events/publish-event.js'
import { type Database, storeError } from './database.js'

export const EVENT_CHANNEL = 'larder_events'
/** Advisory lock id appends serialize on (publishes are rare; one order matters more than parallel appends). */
const APPEND_LOCK_ID = 7_310_002
/** Old events are dropped every this many appends. */
const PRUNE_EVERY = 100
const OUTBOX_SETTING = 'events-outbox-id'

export interface DatabaseEventLogOptions {
  retentionMs: number
  now?: () => number
}

export async function openDatabaseEventLog(db: Database, options: DatabaseEventLogOptions): Promise<EventLog> {
  const now = options.now ?? Date.now
  const listeners = new Set<() => void>()
  let lastSeq = 0
  const heard = (seq: number) => {
    if (seq <= lastSeq) return
    lastSeq = seq
    for (const listener of listeners) listener()
  }
  const newest = async () => {
    const { rows } = await db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM larder_events')
    heard(Number(rows[0]?.seq ?? 0))
  }
  await db.ready()
  try {
    // Listening comes first: an append committed between the max() and LISTEN would go unheard.
    await db.session.listen(EVENT_CHANNEL, (payload) => heard(Number(payload)))
  } catch (err) {
    throw storeError(db.where, 'listening for events', err)
  }
  db.session.onResumed(() => void newest().catch(() => {}))
  // DO UPDATE (to itself) rather than DO NOTHING: it returns the row another replica committed meanwhile too.
  const { rows } = await db.query<{ value: string }>(
    `INSERT INTO larder_settings (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET value = larder_settings.value RETURNING value`,
    [OUTBOX_SETTING, randomBytes(4).toString('hex')],
  )
  const id = rows[0]!.value
  await newest()

  const toEvent = (row: { seq: string; event: string }): PublishEvent => ({ id: `${id}-${row.seq}`, ...JSON.parse(row.event) })
  return {
    id,
    get lastSeq() {
      return lastSeq
    },
    async append(input) {
      const at = new Date(now()).toISOString()
      const body = { ...input, files: input.files ?? [], at }
      const seq = await db.transaction(async (query) => {
        await query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK_ID])
        const inserted = await query(`INSERT INTO larder_events (seq, event, at) SELECT coalesce(max(seq), 0) + 1, $1, $2 FROM larder_events RETURNING seq`, [
          JSON.stringify(body),
          at,
        ])
        const seq = Number(inserted.rows[0]!.seq)
        await query(`SELECT pg_notify('${EVENT_CHANNEL}', $1)`, [String(seq)])
        if (seq % PRUNE_EVERY === 0) {
          await query('DELETE FROM larder_events WHERE at < $1 AND seq < $2', [new Date(now() - options.retentionMs).toISOString(), seq])
        }
        return seq
      })
      heard(seq)
      return { id: `${id}-${seq}`, ...body }
    },
    async read(afterSeq, limit) {
      const { rows } = await db.query<{ seq: string; event: string }>('SELECT seq, event FROM larder_events WHERE seq > $1 ORDER BY seq LIMIT $2', [
        afterSeq,
        limit,
      ])
      const events: PublishEvent[] = []
      for (const row of rows) {
        try {
          events.push(toEvent(row))
        } catch {
          // A row that is not JSON is skipped, never fatal: the rest of the log is still delivered.
        }
      }
      return events
    },
    onAppend(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close: async () => {
      listeners.clear()
    },
  }
}
