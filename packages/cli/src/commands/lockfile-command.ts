/** `larder prefetch` and `larder verify`: read the lockfiles, run their items against a Larder fetcher, report. */
import { parseArgs } from 'node:util'
import { isLarderError } from '@larder/core'
import { DEFAULT_CONCURRENCY, runItems, type ItemOutcome } from '../executor/run-items.js'
import { httpFetcher } from '../fetcher/http-fetcher.js'
import { inProcessFetcher } from '../fetcher/in-process-fetcher.js'
import type { LarderFetcher } from '../fetcher/larder-fetcher.js'
import { LockfileError, readLockfile } from '../lockfiles/read-lockfile.js'
import type { ReadLockfile } from '../lockfiles/locked-item.js'
import { progressLine } from '../report/progress.js'
import { renderJson, renderSummary, reportOk } from '../report/summary.js'
import type { CliIo } from './cli-io.js'
import { EXIT_NOT_HELD, EXIT_OK, HELP, UsageError } from './usage.js'

export type LockfileCommand = 'prefetch' | 'verify'

export async function runLockfileCommand(command: LockfileCommand, args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args)
  if (values.help) {
    io.stdout.write(HELP[command]!)
    return EXIT_OK
  }
  if (command === 'verify' && (values.server !== undefined || values.token !== undefined)) {
    throw new UsageError('verify reads the store itself (LARDER_DATA_DIR) with no network; --server and --token are for prefetch')
  }
  if (positionals.length === 0) throw new UsageError(`${command} needs at least one lockfile`)
  const concurrency = Number(values.concurrency ?? DEFAULT_CONCURRENCY)
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError('--concurrency must be a whole number from 1 to 256')

  const lockfiles: ReadLockfile[] = []
  for (const path of positionals) {
    try {
      lockfiles.push(await readLockfile(path, io.env))
    } catch (error) {
      if (error instanceof LockfileError) throw new UsageError(error.message)
      throw error
    }
  }
  const fetcher = openFetcher(command, values.server, values.token ?? io.env.LARDER_TOKEN, io)
  const started = Date.now()
  const progress = progressLine(command, io.stderr)
  const outcomes: ItemOutcome[][] = []
  try {
    // One run over every lockfile's items: shared documents (/gems/versions) are fetched once, and the limit is global.
    const all = await runItems(
      lockfiles.flatMap((l) => l.items),
      fetcher,
      { concurrency, onProgress: (p) => progress.update(p) },
    )
    let at = 0
    for (const lockfile of lockfiles) outcomes.push(all.slice(at, (at += lockfile.items.length)))
  } finally {
    progress.done()
    await fetcher.close()
  }
  const report = {
    command,
    target: fetcher.target,
    lockfiles: lockfiles.map((lockfile, i) => ({ lockfile, outcomes: outcomes[i]! })),
    ms: Date.now() - started,
  }
  io.stdout.write(values.json ? renderJson(report) : renderSummary(report))
  return reportOk(report) ? EXIT_OK : EXIT_NOT_HELD
}

function parseOptions(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        concurrency: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

function openFetcher(command: LockfileCommand, server: string | undefined, token: string | undefined, io: CliIo): LarderFetcher {
  try {
    if (server !== undefined) return httpFetcher(server, token)
    return inProcessFetcher({ env: io.env, offline: command === 'verify', log: io.stderr })
  } catch (error) {
    // A bad setting reads as the server would say it at start: the variable and what is wrong with it.
    if (isLarderError(error)) throw new UsageError(`cannot open the store: ${error.message}${error.hint ? ` (${error.hint})` : ''}`)
    if (error instanceof TypeError) throw new UsageError(error.message)
    throw error
  }
}
