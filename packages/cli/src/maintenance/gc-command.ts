/** `larder gc [--dry-run]`: deletes blobs no entry references (superseded index bodies, leftovers); safe beside a running server. */
import { DEFAULT_GC_GRACE_MS, collectGarbage } from '@larder/core'
import type { CliIo } from '../commands/cli-io.js'
import { commandStore } from '../commands/store-folder.js'
import { EXIT_OK, HELP, UsageError } from '../commands/usage.js'
import { formatBytes, formatDuration } from '../report/format.js'
import { parseCommandArgs } from '../commands/parse-command-args.js'

export async function runGcCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    'dry-run': { type: 'boolean' },
    'grace-minutes': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    io.stdout.write(HELP.gc!)
    return EXIT_OK
  }
  if (positionals.length > 0) throw new UsageError('gc takes no arguments')
  const graceText = values['grace-minutes']
  if (graceText !== undefined && !/^\d{1,7}$/.test(graceText)) throw new UsageError('--grace-minutes must be a whole number')
  const graceMs = graceText === undefined ? DEFAULT_GC_GRACE_MS : Number(graceText) * 60_000
  const opened = await commandStore(io)
  const { store } = opened
  try {
    const result = await collectGarbage(store, { graceMs, dryRun: values['dry-run'] ?? false })
    const verb = values['dry-run'] ? 'would delete' : 'deleted'
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ dryRun: values['dry-run'] ?? false, ...result }, null, 2)}\n`
        : `${verb} ${result.deleted} unreferenced blobs (${formatBytes(result.freedBytes)}); ${result.referenced} blobs in use by ${result.entries} entries, ${result.young} unreferenced but younger than the grace period; ${formatDuration(result.ms)}\n`,
    )
    return EXIT_OK
  } finally {
    await opened.close()
  }
}
