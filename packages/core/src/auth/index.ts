/** Auth: the token model every app uses for uploads and optionally reads. */
export * from './token-store.js'
