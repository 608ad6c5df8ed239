/** The shared PostgreSQL of several replicas (LARDER_DATABASE_URL): a pool for statements, one session for LISTEN and locks. */
import pg from 'pg'
import { LarderError } from '../errors/larder-error.js'
import { DatabaseSession } from './database-session.js'
import { ensureSchema } from './schema.js'

export const DEFAULT_DATABASE_POOL_SIZE = 10
export const DEFAULT_DATABASE_CONNECT_TIMEOUT_MS = 10_000
/** A statement running longer than this is cancelled: a hung database must not hold requests forever. */
export const DEFAULT_DATABASE_STATEMENT_TIMEOUT_MS = 30_000

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
  const pool = new pg.Pool({
    connectionString: options.url,
    max: poolSize,
    connectionTimeoutMillis: DEFAULT_DATABASE_CONNECT_TIMEOUT_MS,
    statement_timeout: DEFAULT_DATABASE_STATEMENT_TIMEOUT_MS,
    application_name: 'larder',
  })
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
