/** Logging: pino JSON, one line per request. */
export * from './logger.js'
