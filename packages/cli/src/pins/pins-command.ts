/** `larder pins list|remove <id>`: the lockfiles whose artifacts the store keeps whatever its size limit. */
import { isLarderError, listPins, removePin } from '@larder/core'
import type { CliIo } from '../commands/cli-io.js'
import { commandStore } from '../commands/store-folder.js'
import { EXIT_NOT_HELD, EXIT_OK, HELP, UsageError } from '../commands/usage.js'
import { table } from '../report/format.js'
import { parseCommandArgs } from '../commands/parse-command-args.js'

export async function runPinsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } })
  const [action, id, ...extra] = positionals
  if (values.help || action === undefined) {
    io.stdout.write(HELP.pins!)
    return action === undefined && !values.help ? 2 : EXIT_OK
  }
  if (action !== 'list' && action !== 'remove') throw new UsageError(`pins ${action}: the actions are list and remove`)
  if (action === 'remove' && (id === undefined || extra.length > 0)) throw new UsageError('pins remove takes one pin id (see larder pins list)')
  if (action === 'list' && id !== undefined) throw new UsageError('pins list takes no arguments')
  const opened = await commandStore(io)
  const { store } = opened
  try {
    if (action === 'remove') {
      await removePin(store, id!)
      io.stdout.write(`removed pin ${id}\n`)
      return EXIT_OK
    }
    const pins = await listPins(store)
    if (values.json)
      io.stdout.write(
        `${JSON.stringify(
          pins.map(({ keys, ...pin }) => ({ ...pin, entries: keys.length })),
          null,
          2,
        )}\n`,
      )
    else if (pins.length === 0) io.stdout.write('no pins: larder prefetch and larder import pin what they hold\n')
    else
      io.stdout.write(
        `${table([['id', 'by', 'at', 'entries', 'source'], ...pins.map((p) => [p.id, p.by, p.at, String(p.keys.length), p.source])], new Set([3]))}\n`,
      )
    return EXIT_OK
  } catch (error) {
    if (!isLarderError(error, 'E_NOT_FOUND')) throw error
    io.stderr.write(`larder: ${error.message} (${error.hint})\n`)
    return EXIT_NOT_HELD
  } finally {
    await opened.close()
  }
}
