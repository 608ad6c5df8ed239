/** Store maintenance: garbage collection (and, later, eviction and checks). */
export * from './collect-garbage.js'
export * from './gc-schedule.js'
export * from './check-store.js'
export * from './store-stats.js'
export * from './pins.js'
export * from './access-log.js'
export * from './evict-artifacts.js'
export * from './evict-schedule.js'
