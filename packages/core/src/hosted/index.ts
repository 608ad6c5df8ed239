/** Hosted packages: the store every mirror's publish path shares. */
export * from './hosted-packages.js'
