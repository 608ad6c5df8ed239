/** The status page at / for browsers: traffic per mirror, upstream health, disk, recent publishes, and a search over held names. */
export * from './traffic-series.js'
export * from './name-catalog.js'
export * from './negotiate.js'
export * from './status-routes.js'
export type { StatusMirror } from './status-snapshot.js'
