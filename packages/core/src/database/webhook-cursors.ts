/**
 * Webhook cursors in PostgreSQL: one row per receiver with the last event it took and which process sends to
 * it until when. A claim is renewed by its holder and taken over by another replica once it has run out, so a
 * replica that dies hands its receivers on; a cursor write by a process that lost the claim changes nothing.
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { ReceiverCursor, ReceiverCursorFactory } from '../events/event-log.js'
import { receiverKey } from '../events/receiver-cursor.js'
import type { Database } from './database.js'

/**
 * How long a claim holds without renewal. The sender renews before each try and every DEFAULT_CLAIM_RENEW_MS
 * while it waits, so the longest gap is one try (connect, headers and body timeouts: 3 x 10 s) plus one renewal.
 */
export const DEFAULT_WEBHOOK_CLAIM_MS = 45_000

export function databaseReceiverCursors(db: Database, options: { claimMs?: number } = {}): ReceiverCursorFactory {
  const claimMs = options.claimMs ?? DEFAULT_WEBHOOK_CLAIM_MS
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  return (url, log): ReceiverCursor => {
    const receiver = receiverKey(url)
    return {
      async claim() {
        const { rows } = await db.query(
          `INSERT INTO larder_webhooks (receiver, holder, held_until) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
           ON CONFLICT (receiver) DO UPDATE SET holder = EXCLUDED.holder, held_until = EXCLUDED.held_until
           WHERE larder_webhooks.holder = EXCLUDED.holder OR larder_webhooks.holder IS NULL OR larder_webhooks.held_until < now()
           RETURNING receiver`,
          [receiver, holder, claimMs],
        )
        return rows.length === 1
      },
      async read() {
        const { rows } = await db.query<{ outbox: string | null; delivered: string | null }>(
          'SELECT outbox, delivered FROM larder_webhooks WHERE receiver = $1',
          [receiver],
        )
        const row = rows[0]
        // A cursor of another log (the database was replaced) means nothing here.
        return row && row.outbox === log.id && row.delivered !== null ? Number(row.delivered) : undefined
      },
      async write(delivered) {
        const { rows } = await db.query(
          `UPDATE larder_webhooks SET outbox = $3, delivered = $4, held_until = now() + $5 * interval '1 millisecond'
           WHERE receiver = $1 AND holder = $2 RETURNING receiver`,
          [receiver, holder, log.id, delivered, claimMs],
        )
        return rows.length === 1
      },
      async release() {
        await db.query('UPDATE larder_webhooks SET holder = NULL, held_until = NULL WHERE receiver = $1 AND holder = $2', [receiver, holder])
      },
    }
  }
}
