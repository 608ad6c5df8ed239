/** Larder's tables in PostgreSQL, created (and later migrated) once, whichever replica starts first. */
import type { Pool } from 'pg'

/** Advisory lock id under which replicas create the schema one at a time (CREATE ... IF NOT EXISTS races otherwise). */
const SCHEMA_LOCK_ID = 7_310_001

// Entries are JSON kept as text, not jsonb: jsonb refuses "\u0000" in strings and upstream metadata may hold one.
// COLLATE "C" orders keys bytewise, so `key LIKE 'prefix%'` walks the primary key's index.
const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS larder_entries (
     key text COLLATE "C" PRIMARY KEY,
     entry text NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  // When each chore (gc, eviction) last ran on any replica.
  `CREATE TABLE IF NOT EXISTS larder_chores (
     name text PRIMARY KEY,
     ran_at timestamptz NOT NULL
   )`,
  // The publish events of every replica, in one order (see event-log.ts); `event` is the JSON without its id.
  `CREATE TABLE IF NOT EXISTS larder_events (
     seq bigint PRIMARY KEY,
     event text NOT NULL,
     at timestamptz NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS larder_settings (
     name text PRIMARY KEY,
     value text NOT NULL
   )`,
  // Each webhook receiver's cursor, and which process sends to it until when.
  `CREATE TABLE IF NOT EXISTS larder_webhooks (
     receiver text PRIMARY KEY,
     outbox text,
     delivered bigint,
     holder text,
     held_until timestamptz
   )`,
]

export async function ensureSchema(pool: Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_ID])
    await client.query('CREATE TABLE IF NOT EXISTS larder_schema (version integer NOT NULL)')
    const { rows } = await client.query<{ version: number }>('SELECT version FROM larder_schema')
    const current = rows[0]?.version ?? 0
    for (const statement of MIGRATIONS.slice(current)) await client.query(statement)
    if (rows.length === 0) await client.query('INSERT INTO larder_schema (version) VALUES ($1)', [MIGRATIONS.length])
    else if (current < MIGRATIONS.length) await client.query('UPDATE larder_schema SET version = $1', [MIGRATIONS.length])
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
