/** PostgreSQL for several replicas: the shared entry index, cluster-wide leases, and change notifications. */
export { openDatabase, DEFAULT_DATABASE_POOL_SIZE, type Database, type DatabaseOptions } from './database.js'
export { withDatabaseIndex, ENTRY_CHANNEL, type DatabaseIndex } from './entry-index.js'
export { createClusterLeases, lockIdOf, LEASE_CHANNEL, type ClusterLeases } from './cluster-leases.js'
