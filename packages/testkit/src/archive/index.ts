/** Archive writers for tests: tar and tar.gz with hostile entries. */
export * from './tar-writer.js'
export * from './crafted-gem.js'
export * from './crafted-deb.js'
