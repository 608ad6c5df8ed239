/** Public surface of the npm packer. */
export * from './npm-pack.js'
export * from './npm-env.js'
