/** @larder/testkit: fixture upstreams and helpers for Larder's tests and benchmarks (node built-ins only). */
export * from './fixture-server/index.js'
export * from './npm-pack/index.js'
export * from './npm-registry/index.js'
export * from './temp/temp-dir.js'
export * from './temp/wait-for.js'
export * from './process/run.js'
export * from './process/start-process.js'
export type { EnvOverrides } from './process/child-env.js'
