#!/usr/bin/env node
/** The `larder` command (a bin of the root package: `npx larder <command>`), over the same mirrors as `npm start`. */
import { runCli } from '@larder/cli'
import { MIRRORS } from './server-app.js'

try {
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, mirrors: MIRRORS })
} catch (error) {
  // Our own fault, not the user's: the stack helps the report.
  process.stderr.write(`larder: ${(error as Error)?.stack ?? error}\n`)
  process.exitCode = 1
}
