/** LARDER_WORKERS: several worker processes on one port and one data folder, kept coherent by their primary. */
export * from './host-leases.js'
export * from './ipc-calls.js'
export * from './primary-process.js'
export * from './worker-role.js'
export * from './worker-seams.js'
