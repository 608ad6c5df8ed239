/** `larder fsck [--repair]`: every blob re-hashed, every entry's files present; corrupt blobs quarantined, exit 1 on any fault. */
import { join } from 'node:path'
import { checkStore, createUpstreamClient, refetchBlob } from '@larder/core'
import type { CliIo } from '../commands/cli-io.js'
import { commandStore, dataFolder } from '../commands/store-folder.js'
import { EXIT_NOT_HELD, EXIT_OK, HELP, UsageError } from '../commands/usage.js'
import { formatBytes } from '../report/format.js'
import { parseCommandArgs } from '../commands/parse-command-args.js'

export async function runFsckCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { repair: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } })
  if (values.help) {
    io.stdout.write(HELP.fsck!)
    return EXIT_OK
  }
  if (positionals.length > 0) throw new UsageError('fsck takes no arguments')
  const data = await dataFolder(io)
  const opened = await commandStore(io)
  const { store } = opened
  try {
    const result = await checkStore(store, { quarantineDir: join(data, 'quarantine') })
    const repaired: string[] = []
    const refetched: string[] = []
    if (values.repair) {
      const upstream = createUpstreamClient({ retries: 1 })
      try {
        for (const missing of result.missing.filter((m) => !m.hosted)) {
          const entry = await store.getEntry(missing.key)
          // A file fetched from an upstream comes back from the URL it came from, if the bytes are the same.
          if (entry && (await refetchBlob(store, upstream, entry)) === 'restored') {
            refetched.push(missing.key)
            continue
          }
          // Otherwise (a document, upstream down or changed) it is fetched again on its next request once its entry is gone.
          await store.deleteEntry(missing.key)
          repaired.push(missing.key)
        }
      } finally {
        await upstream.close()
      }
    }
    // A server on the same folder forgets what its entry cache held about them.
    if (result.corrupt.length > 0 || repaired.length > 0 || refetched.length > 0) await opened.announceChanges()
    const unrepaired = result.missing.filter((m) => !repaired.includes(m.key) && !refetched.includes(m.key))
    if (values.json) io.stdout.write(`${JSON.stringify({ ...result, refetched, repaired }, null, 2)}\n`)
    else {
      const lines = [
        `checked ${result.blobs} blobs (${formatBytes(result.bytes)}): ${result.corrupt.length} corrupt, ${result.missing.length} entries without their file`,
      ]
      for (const blob of result.corrupt) lines.push(`  corrupt ${blob.sha256} (hashes to ${blob.actual}), quarantined in ${blob.quarantinedAt}`)
      for (const m of result.missing) {
        const fate = refetched.includes(m.key)
          ? 'fetched again from upstream, same bytes'
          : repaired.includes(m.key)
            ? 'dropped: fetched again on the next request'
            : m.hosted
              ? 'hosted: publish it again'
              : 'run larder fsck --repair'
        lines.push(`  missing ${m.sha256} of ${m.key} (${fate})`)
      }
      io.stdout.write(`${lines.join('\n')}\n`)
    }
    return result.corrupt.length === 0 && unrepaired.length === 0 ? EXIT_OK : EXIT_NOT_HELD
  } finally {
    await opened.close()
  }
}
