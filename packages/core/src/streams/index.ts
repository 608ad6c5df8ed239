/** Stream helpers shared by apps. */
export * from './read-all.js'
