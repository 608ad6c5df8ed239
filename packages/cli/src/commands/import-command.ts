/** `larder import BUNDLE`: every digest checked before anything is visible, then added to the store in LARDER_DATA_DIR. */
import { isLarderError, savePin } from '@larder/core'
import { importBundle } from '../bundle/import-bundle.js'
import { formatBytes, formatDuration } from '../report/format.js'
import { byteProgressLine } from '../report/progress.js'
import type { CliIo } from './cli-io.js'
import { commandStore } from './store-folder.js'
import { EXIT_NOT_HELD, EXIT_OK, HELP, UsageError } from './usage.js'
import { parseCommandArgs } from './parse-command-args.js'

export async function runImportCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } })
  if (values.help) {
    io.stdout.write(HELP.import!)
    return EXIT_OK
  }
  if (positionals.length !== 1) throw new UsageError('import takes one bundle')
  const started = Date.now()
  const opened = await commandStore(io)
  const { store } = opened
  try {
    const progress = byteProgressLine('import', undefined, io.stderr)
    const result = await importBundle(positionals[0]!, store, (n) => progress.add(n)).finally(() => progress.done())
    // What the bundle brought stays, whatever a size limit on the store says later.
    await savePin(store, { source: positionals[0]!, sha256: result.manifestSha256, by: 'import', keys: result.keys })
    // A server on the same folder forgets what its entry cache said about these keys (within a second).
    await opened.announceChanges()
    const ms = Date.now() - started
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ bundle: positionals[0], ...result, keys: undefined, ms }, null, 2)}\n`
        : `imported ${result.entries} entries (${result.kept} kept: as new or newer here) and ${result.blobs} files (${formatBytes(result.bytes)}; ${result.present} already held) into ${opened.where} in ${formatDuration(ms)}\n`,
    )
    return EXIT_OK
  } catch (error) {
    if (!isLarderError(error)) throw error
    io.stderr.write(`larder: ${error.message}${error.hint ? ` (${error.hint})` : ''}\n`)
    return EXIT_NOT_HELD
  } finally {
    await opened.close()
  }
}
