/** Auth: the token model every app uses for uploads and optionally reads. */
export * from './token-store.js'
export * from './route-methods.js'
