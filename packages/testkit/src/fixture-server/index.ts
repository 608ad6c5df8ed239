/** Public surface of the fixture server. */
export * from './fixture-server.js'
export {
  CORRUPT_STRIDE,
  DEFAULT_SLOW_BYTES_PER_TICK,
  DEFAULT_SLOW_TICK_MS,
  FAULTS,
  MIN_GARBAGE_BYTES,
  PORTAL_PAGE,
  type Fault,
  type SlowFaultOptions,
} from './faults.js'
