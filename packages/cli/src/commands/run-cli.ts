/** `larder <command> ...`: picks the command and turns every outcome into an exit status (0 held, 1 not, 2 usage). */
import type { CliIo } from './cli-io.js'
import { runExportCommand } from './export-command.js'
import { runImportCommand } from './import-command.js'
import { runLockfileCommand } from './lockfile-command.js'
import { runFsckCommand } from '../maintenance/fsck-command.js'
import { runGcCommand } from '../maintenance/gc-command.js'
import { runStatsCommand } from '../maintenance/stats-command.js'
import { runPinsCommand } from '../pins/pins-command.js'
import { EXIT_OK, EXIT_USAGE, HELP, UsageError } from './usage.js'

export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined
      if (topic !== undefined && !HELP[topic]) throw new UsageError(`no command "${topic}"`)
      io.stdout.write(HELP[topic ?? 'larder']!)
      return command === undefined ? EXIT_USAGE : EXIT_OK
    }
    if (command === 'prefetch' || command === 'verify') return await runLockfileCommand(command, rest, io)
    if (command === 'export') return await runExportCommand(rest, io)
    if (command === 'import') return await runImportCommand(rest, io)
    if (command === 'pins') return await runPinsCommand(rest, io)
    if (command === 'gc') return await runGcCommand(rest, io)
    if (command === 'fsck') return await runFsckCommand(rest, io)
    if (command === 'stats') return await runStatsCommand(rest, io)
    throw new UsageError(`no command "${command}" (commands: prefetch, verify, export, import, pins, gc, fsck, stats)`)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`larder: ${error.message}\nRun "larder ${command && HELP[command] ? `${command} ` : ''}--help" for usage.\n`)
    return EXIT_USAGE
  }
}
