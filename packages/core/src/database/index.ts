/** PostgreSQL for several replicas: the shared entry index, cluster-wide leases, and change notifications. */
export { openDatabase, DEFAULT_DATABASE_POOL_SIZE, type Database, type DatabaseOptions } from './database.js'
export { withDatabaseIndex, ENTRY_CHANNEL, type DatabaseIndex } from './entry-index.js'
export { createClusterLeases, lockIdOf, LEASE_CHANNEL, type ClusterLeases } from './cluster-leases.js'
export { openDatabaseEventLog, EVENT_CHANNEL, type DatabaseEventLogOptions } from './event-log.js'
export { databaseReceiverCursors, DEFAULT_WEBHOOK_CLAIM_MS } from './webhook-cursors.js'
