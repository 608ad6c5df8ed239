/**
 * The key -> entry index in PostgreSQL, in front of any blob store. Each write notifies every replica in the
 * same statement (LISTEN/NOTIFY), so their entry caches forget the key; a write settles once this process has
 * heard its own notification, by which time the server has sent it to every other listener too.
 */
import { randomBytes } from 'node:crypto'
import { LarderError } from '../errors/larder-error.js'
import type { ExternalChanges } from '../store/entry-cache.js'
import type { CacheEntry, CacheStore } from '../store/types.js'
import { namespaceOf, namespaceOfPrefix } from '../store/validate.js'
import { lockIdOf } from './cluster-leases.js'
import { type Database, storeError } from './database.js'

export const ENTRY_CHANNEL = 'larder_entries'
/** How long a write waits to hear its own notification before settling anyway (the session may be down). */
export const DEFAULT_NOTIFY_WAIT_MS = 2_000
const LIST_PAGE = 500
/** The data-modifying CTE runs whether or not the SELECT reads it; NOTIFY is delivered at commit. */
const UPSERT_AND_NOTIFY = `WITH written AS (
  INSERT INTO larder_entries (key, entry, updated_at) VALUES ($1, $2, now())
  ON CONFLICT (key) DO UPDATE SET entry = EXCLUDED.entry, updated_at = now()
) SELECT pg_notify('${ENTRY_CHANNEL}', $3)`
/** NOTIFY payloads must stay under 8000 bytes; longer keys are announced as "anything may have changed". */
const MAX_NOTIFIED_KEY_BYTES = 7_000

/**
 * The compare of a compare-and-swap: the stored text must be what `entry` was read as (entries are stored as
 * JSON.stringify of what was written, and parsing then stringifying gives the same text back). The transaction
 * lock on the key makes two fenced writers of one key take turns, an absent key included (no row to lock).
 */
async function expectUnchanged(
  query: (text: string, values?: unknown[]) => Promise<{ rows: Array<{ entry?: string }> }>,
  key: string,
  entry: CacheEntry | undefined,
) {
  await query('SELECT pg_advisory_xact_lock($1::bigint)', [lockIdOf(`entry:${key}`)])
  const { rows } = await query('SELECT entry FROM larder_entries WHERE key = $1', [key])
  const current = rows[0]?.entry
  if (current === (entry === undefined ? undefined : JSON.stringify(entry))) return
  throw new LarderError('E_CONFLICT', `${key.slice(0, 120)} was changed by another replica during this change: nothing was written`, {
    hint: 'send the request again (this replica lost its database session, and with it its lock, meanwhile)',
  })
}

export interface DatabaseIndex {
  /** `blobs`' blobs with entries from the database. */
  store: CacheStore
  /** Writes other processes made, for withEntryCache. */
  changes: ExternalChanges
}

export function withDatabaseIndex(blobs: CacheStore, db: Database, options: { notifyWaitMs?: number } = {}): DatabaseIndex {
  const notifyWaitMs = options.notifyWaitMs ?? DEFAULT_NOTIFY_WAIT_MS
  const origin = randomBytes(6).toString('hex')
  let sequence = 0
  const heard = new Map<number, () => void>()
  const listeners: Array<(key?: string) => void> = []
  const tell = (key?: string) => {
    for (const listener of listeners) listener(key)
  }

  let listening: Promise<void> | undefined
  // Listening starts before the first read: a change sent before LISTEN would never be heard.
  const ready = (): Promise<void> => {
    listening ??= db
      .ready()
      .then(() =>
        db.session.listen(ENTRY_CHANNEL, (payload) => {
          const [from = '', seq = '', ...rest] = payload.split(' ')
          if (from === origin) return heard.get(Number(seq))?.()
          const key = rest.join(' ')
          tell(key === '' ? undefined : key)
        }),
      )
      .catch((err) => {
        listening = undefined
        throw storeError(db.where, 'listening for entry changes', err)
      })
    return listening
  }
  db.session.onLost(() => tell())
  db.session.onResumed(() => tell())

  /**
   * Runs `write` with a notification payload per key, and waits (bounded) until the last one comes back:
   * notifications arrive in commit order, so the earlier ones have too.
   */
  const writeAndNotify = async (keys: readonly string[], write: (payloads: string[]) => Promise<unknown>) => {
    await ready()
    const payloads = keys.map((key) => `${origin} ${++sequence} ${Buffer.byteLength(key) > MAX_NOTIFIED_KEY_BYTES ? '' : key}`)
    const last = sequence
    let timer: NodeJS.Timeout | undefined
    const back = new Promise<void>((resolve) => {
      heard.set(last, resolve)
      timer = setTimeout(resolve, notifyWaitMs)
    })
    try {
      await write(payloads)
      // A session that is down hears nothing; the other replicas forget everything when theirs come back anyway.
      if (db.session.up) await back
    } finally {
      clearTimeout(timer)
      heard.delete(last)
    }
  }

  const store: CacheStore = {
    get spoolDir() {
      return blobs.spoolDir
    },

    async getEntry(key) {
      namespaceOf(key)
      await ready()
      const { rows } = await db.query<{ entry: string }>('SELECT entry FROM larder_entries WHERE key = $1', [key])
      if (rows.length === 0) return undefined
      let entry: CacheEntry
      try {
        entry = JSON.parse(rows[0]!.entry) as CacheEntry
      } catch (err) {
        throw new LarderError('E_STORE', `corrupt entry for ${JSON.stringify(key.slice(0, 80))} in ${db.where}`, { cause: err })
      }
      return entry
    },

    async putEntry(entry) {
      namespaceOf(entry.key)
      await writeAndNotify([entry.key], ([payload]) => db.query(UPSERT_AND_NOTIFY, [entry.key, JSON.stringify(entry), payload]))
    },

    async putEntries(entries, options = {}) {
      for (const entry of entries) namespaceOf(entry.key)
      const { unchanged } = options
      await writeAndNotify(
        entries.map((entry) => entry.key),
        (payloads) =>
          db.transaction(async (query) => {
            if (unchanged) await expectUnchanged(query, unchanged.key, unchanged.entry)
            for (const [i, entry] of entries.entries()) await query(UPSERT_AND_NOTIFY, [entry.key, JSON.stringify(entry), payloads[i]])
          }),
      )
    },

    async deleteEntry(key) {
      namespaceOf(key)
      await writeAndNotify([key], ([payload]) =>
        db.query(`WITH gone AS (DELETE FROM larder_entries WHERE key = $1) SELECT pg_notify('${ENTRY_CHANNEL}', $2)`, [key, payload]),
      )
    },

    async *listEntries(prefix) {
      namespaceOfPrefix(prefix)
      await ready()
      const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      let after = ''
      for (;;) {
        const { rows } = await db.query<{ key: string }>(`SELECT key FROM larder_entries WHERE key LIKE $1 AND key > $2 ORDER BY key LIMIT ${LIST_PAGE}`, [
          pattern,
          after,
        ])
        for (const row of rows) yield row.key
        if (rows.length < LIST_PAGE) return
        after = rows[rows.length - 1]!.key
      }
    },

    statBlob: (sha256) => blobs.statBlob(sha256),
    listBlobs: () => blobs.listBlobs(),
    openBlob: (sha256, range) => blobs.openBlob(sha256, range),
    ingestBlob: (localPath, expected) => blobs.ingestBlob(localPath, expected),
    putBlob: (data) => blobs.putBlob(data),
    deleteBlob: (sha256) => blobs.deleteBlob(sha256),

    async probe() {
      await blobs.probe()
      await ready()
      await db.query('SELECT 1')
    },

    close: () => blobs.close(),
  }
  return { store, changes: { onChange: (listener) => void listeners.push(listener) } }
}
