/** Stream helpers shared by apps. */
export * from './read-all.js'
export * from './reads-into.js'
export * from './file-range-reader.js'
