/** The shared PostgreSQL of several replicas (LARDER_DATABASE_URL): a pool for statements, one session for LISTEN and locks. */
import type pg from 'pg'
import { pgModule } from './pg-module.js'
import { LarderError } from '../errors/larder-error.js'
import { connectionSettings } from './connection-settings.js'
import { DatabaseSession } from './database-session.js'
import { ensureSchema } from './schema.js'

export const DEFAULT_DATABASE_POOL_SIZE = 10

export interface DatabaseOptions {
  /** postgres://user:password@host:port/database */
  url: string
  poolSize?: number
}

export interface Database {
  /** The URL without its password, for messages. */
  readonly where: string
  readonly pool: pg.Pool
  readonly session: DatabaseSession
  /** Resolves once the tables exist; every statement waits for it. */
  ready(): Promise<void>
  /** Runs one statement from the pool, as an E_STORE error naming the database when it fails. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>
  /** Runs `work` in one transaction on one pooled client: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (query: (text: string, values?: unknown[]) => Promise<pg.QueryResult>) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export function openDatabase(options: DatabaseOptions): Database {
  let parsed: URL
  try {
    parsed = new URL(options.url)
  } catch {
    throw new LarderError('E_INVALID_OPTION', 'url must be a postgres:// URL (LARDER_DATABASE_URL)')
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new LarderError('E_INVALID_OPTION', `url must be a postgres:// URL (LARDER_DATABASE_URL), got ${parsed.protocol}`)
  }
  const poolSize = options.poolSize ?? DEFAULT_DATABASE_POOL_SIZE
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) throw new LarderError('E_INVALID_OPTION', 'poolSize must be a positive integer')
  parsed.password = ''
  const where = `database ${parsed.host}${parsed.pathname}`
  const pool = new (pgModule().Pool)({ ...connectionSettings(options.url, 'larder'), max: poolSize })
  // An idle client that loses its connection emits on the pool; the pool replaces it, nothing to crash over.
  pool.on('error', () => {})
  const session = new DatabaseSession({ connectionString: options.url })
  let schema: Promise<void> | undefined
  const ready = (): Promise<void> => {
    schema ??= ensureSchema(pool).catch((err) => {
      schema = undefined
      throw storeError(where, 'creating the tables', err)
    })
    return schema
  }
  return {
    where,
    pool,
    session,
    ready,
    async query(text, values) {
      await ready()
      try {
        return await pool.query(text, values)
      } catch (err) {
        throw storeError(where, 'a statement', err)
      }
    },
    async transaction(work) {
      await ready()
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (err) {
        throw storeError(where, 'a transaction', err)
      }
      try {
        await client.query('BEGIN')
        const result = await work((text, values) => client.query(text, values))
        await client.query('COMMIT')
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw storeError(where, 'a transaction', err)
      } finally {
        client.release()
      }
    },
    async close() {
      await session.close()
      await pool.end().catch(() => {})
    },
  }
}

export function storeError(where: string, doing: string, err: unknown): LarderError {
  if (err instanceof LarderError) return err
  return new LarderError('E_STORE', `${where}: ${doing} failed: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
    hint: 'check LARDER_DATABASE_URL and that PostgreSQL is up',
  })
}
