/** Services: the shared parts every app is built from. */
export * from './create-services.js'
export * from './command-store.js'
