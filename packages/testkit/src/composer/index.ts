/** Composer fixtures: dist zips built at test time, a minified p2 metadata host, a separate dist host, an isolated composer. */
export * from './zip-writer.js'
export * from './minify.js'
export * from './composer-package.js'
export * from './composer-metadata-fixture.js'
export * from './composer-dist-fixture.js'
export * from './composer-env.js'
