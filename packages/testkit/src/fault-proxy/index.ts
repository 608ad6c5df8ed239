/** Public surface of the fault proxy: raw-TCP framing faults in front of a fixture, and a TLS server that never handshakes. */
export * from './fault-proxy.js'
export * from './stalled-tls-server.js'
export { BENIGN_MODES, CHUNK_SIZES, DEFAULT_DRIP_INTERVAL_MS, WIRE_MODES, type WireMode } from './wire-modes.js'
export { CONTENT_MODES, type ContentMode } from './content-modes.js'
export { MAX_REQUEST_HEAD_BYTES } from './request-head.js'
