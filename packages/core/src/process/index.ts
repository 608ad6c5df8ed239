/** A Larder process: start, listen, shut down. */
export * from './launch.js'
