/** TLS material for fixtures. */
export * from './self-signed.js'
