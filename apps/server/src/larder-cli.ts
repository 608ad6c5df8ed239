#!/usr/bin/env node
/** The `larder` command (a bin of the root package: `npx larder <command>`), over the same mirrors as `npm start`. */
import { enableCompileCache } from 'node:module'

// A command is a short process that loads ~1 000 modules before its first request: V8's compiled code, kept on
// disk between runs, takes part of that off each start. It is only a cache (a failure to write it changes nothing).
enableCompileCache()
// After the cache is on, so that it serves these modules too; the mirrors load only for a command that needs them.
const { runCli } = await import('@larder/cli')
const mirrors = async () => (await import('./server-app.js')).MIRRORS

try {
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, mirrors })
} catch (error) {
  // Our own fault, not the user's: the stack helps the report.
  process.stderr.write(`larder: ${(error as Error)?.stack ?? error}\n`)
  process.exitCode = 1
}
