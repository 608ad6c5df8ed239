/** PostgreSQL fixture: a real PostgreSQL 15 server on loopback in a temp dir, with outages (stop/start) and crashes (kill). */
export * from './postgres-server.js'
