/** Errors: one base class with stable codes, mapped to HTTP status once at the edge. */
export * from './larder-error.js'
