/** Checks on uploaded archives (tar, zip): every entry a relative path inside the package, every link pointing inside it. */
export * from './safe-archive-path.js'
export * from './archive-links.js'
export * from './tar-entries.js'
export * from './tar-file.js'
export * from './zip-entries.js'
