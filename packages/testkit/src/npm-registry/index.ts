/** Public surface of the npm registry fixture. */
export * from './npm-registry-fixture.js'
export * from './big-packument.js'
export { EMPTY_AUDIT_REPORT } from './registry-endpoints.js'
export type { Packument, PackumentDist, PackumentVersion } from './packument-store.js'
