/** Logging: pino JSON, one line per request. */
export * from './logger.js'
export * from './error-fields.js'
export * from './batched-lines.js'
