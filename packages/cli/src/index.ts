/** @larder/cli: the `larder` command, and its lockfile readers and executor for tests and other tools. */
export { runCli } from './commands/run-cli.js'
export type { CliIo, TextOut } from './commands/cli-io.js'
export { readLockfile, LockfileError, SUPPORTED_FORMATS } from './lockfiles/read-lockfile.js'
export * from './lockfiles/locked-item.js'
export { runItems, type ItemOutcome } from './executor/run-items.js'
export type { LarderFetcher } from './fetcher/larder-fetcher.js'
export { httpFetcher } from './fetcher/http-fetcher.js'
export { inProcessFetcher } from './fetcher/in-process-fetcher.js'
