/** How every connection to PostgreSQL is bounded, so a database that hangs or a cut network fails requests instead of holding them. */
import type { ClientConfig } from 'pg'

export const DEFAULT_DATABASE_CONNECT_TIMEOUT_MS = 10_000
/** A statement still unanswered after this is given up on this side, and cancelled on the server. */
export const DEFAULT_DATABASE_QUERY_TIMEOUT_MS = 30_000
/**
 * Both ends probe an idle connection: ours notices a database that vanished (a LISTEN connection cut by a
 * NAT says nothing otherwise), and the server drops a dead replica's session, and its locks, within ~a minute.
 */
const KEEPALIVE_IDLE_SECONDS = 30
const KEEPALIVE_INTERVAL_SECONDS = 10
const KEEPALIVE_COUNT = 3

export function connectionSettings(connectionString: string, applicationName: string): ClientConfig {
  return {
    connectionString,
    application_name: applicationName,
    connectionTimeoutMillis: DEFAULT_DATABASE_CONNECT_TIMEOUT_MS,
    query_timeout: DEFAULT_DATABASE_QUERY_TIMEOUT_MS,
    statement_timeout: DEFAULT_DATABASE_QUERY_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_SECONDS * 1000,
    options: `-c tcp_keepalives_idle=${KEEPALIVE_IDLE_SECONDS} -c tcp_keepalives_interval=${KEEPALIVE_INTERVAL_SECONDS} -c tcp_keepalives_count=${KEEPALIVE_COUNT}`,
  }
}
