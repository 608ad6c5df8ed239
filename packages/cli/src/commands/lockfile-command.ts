/** `larder prefetch` and `larder verify`: read the lockfiles, run their items against a Larder fetcher, report. */
import { readFile } from 'node:fs/promises'
import { isLarderError, savePin, sha256Of, type CacheEntry, type CacheStore } from '@larder/core'
import { DEFAULT_CONCURRENCY, runItems, type ItemOutcome, type Progress } from '../executor/run-items.js'
import { httpFetcher } from '../fetcher/http-fetcher.js'
import { inProcessFetcher, type InProcessFetcher, type InProcessOptions } from '../fetcher/in-process-fetcher.js'
import type { LarderFetcher } from '../fetcher/larder-fetcher.js'
import { LockfileError, readLockfile } from '../lockfiles/read-lockfile.js'
import type { ReadLockfile } from '../lockfiles/locked-item.js'
import { progressLine } from '../report/progress.js'
import { renderJson, renderSummary, reportOk, type RunReport } from '../report/summary.js'
import type { CliIo } from './cli-io.js'
import { EXIT_NOT_HELD, EXIT_OK, HELP, UsageError } from './usage.js'
import { parseCommandArgs } from './parse-command-args.js'

export type LockfileCommand = 'prefetch' | 'verify'

export async function runLockfileCommand(command: LockfileCommand, args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    server: { type: 'string' },
    token: { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    io.stdout.write(HELP[command]!)
    return EXIT_OK
  }
  if (command === 'verify' && (values.server !== undefined || values.token !== undefined)) {
    throw new UsageError('verify reads the store itself (LARDER_DATA_DIR) with no network; --server and --token are for prefetch')
  }
  if (positionals.length === 0) throw new UsageError(`${command} needs at least one lockfile`)
  const concurrency = readConcurrency(values.concurrency)

  const lockfiles = await readLockfiles(positionals, io)
  // A prefetch into the store pins what each lockfile needs: the keys read while answering its requests.
  const readFor = new Map<string, Set<string>>()
  const pinning = command === 'prefetch' && values.server === undefined
  const onEntryRead = (entry: CacheEntry, path: string | undefined) => {
    if (path === undefined) return
    let keys = readFor.get(path)
    if (!keys) readFor.set(path, (keys = new Set()))
    keys.add(entry.key)
  }
  const fetcher = await openFetcher(values.server, values.token ?? io.env.LARDER_TOKEN, io, {
    offline: command === 'verify',
    ...(pinning ? { onEntryRead } : {}),
  })
  const report = await runLockfiles(command, lockfiles, fetcher, concurrency, io, { closeFetcher: !pinning })
  if (pinning) {
    try {
      await pinLockfiles(report, (fetcher as InProcessFetcher).store, readFor)
    } finally {
      await fetcher.close()
    }
  }
  io.stdout.write(values.json ? renderJson(report) : renderSummary(report))
  return reportOk(report) ? EXIT_OK : EXIT_NOT_HELD
}

export async function readLockfiles(paths: readonly string[], io: CliIo): Promise<ReadLockfile[]> {
  const lockfiles: ReadLockfile[] = []
  for (const path of paths) {
    try {
      lockfiles.push(await readLockfile(path, io.env))
    } catch (error) {
      if (error instanceof LockfileError) throw new UsageError(error.message)
      throw error
    }
  }
  return lockfiles
}

/** One run over every lockfile's items: shared documents (/gems/versions) are fetched once, and the limit is global. */
export async function runLockfiles(
  command: string,
  lockfiles: readonly ReadLockfile[],
  fetcher: LarderFetcher,
  concurrency: number,
  io: CliIo,
  options: { closeFetcher: boolean; onProgress?: (progress: Progress) => void; deferStoredBytes?: boolean },
): Promise<RunReport> {
  const started = Date.now()
  const progress = progressLine(command, io.stderr)
  const outcomes: ItemOutcome[][] = []
  try {
    const all = await runItems(
      lockfiles.flatMap((l) => l.items),
      fetcher,
      {
        concurrency,
        deferStoredBytes: options.deferStoredBytes,
        onProgress: (p) => {
          progress.update(p)
          options.onProgress?.(p)
        },
      },
    )
    let at = 0
    for (const lockfile of lockfiles) outcomes.push(all.slice(at, (at += lockfile.items.length)))
  } finally {
    progress.done()
    if (options.closeFetcher) await fetcher.close()
  }
  return {
    command,
    target: fetcher.target,
    lockfiles: lockfiles.map((lockfile, i) => ({ lockfile, outcomes: outcomes[i]! })),
    ms: Date.now() - started,
  }
}

/** One pin per lockfile, of the entries read for every path its packages fetched (shared documents included). */
async function pinLockfiles(report: RunReport, store: CacheStore, readFor: ReadonlyMap<string, ReadonlySet<string>>): Promise<void> {
  for (const { lockfile, outcomes } of report.lockfiles) {
    const paths = outcomes.flatMap((o) => [...o.indexes, ...o.artifacts].filter((f) => f.ok).map((f) => f.path))
    const keys = paths.flatMap((path) => [...(readFor.get(path) ?? [])])
    await savePin(store, { source: lockfile.path, sha256: sha256Of(await readFile(lockfile.path)), by: 'prefetch', keys })
  }
}

/** The concurrency option, checked. */
export function readConcurrency(text: string | undefined): number {
  const concurrency = Number(text ?? DEFAULT_CONCURRENCY)
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError('--concurrency must be a whole number from 1 to 256')
  return concurrency
}

export async function openFetcher(
  server: string | undefined,
  token: string | undefined,
  io: CliIo,
  inProcess: Omit<InProcessOptions, 'env' | 'log' | 'mirrors'>,
): Promise<LarderFetcher> {
  const mirrors = server === undefined ? await io.mirrors() : []
  try {
    if (server !== undefined) return httpFetcher(server, token)
    return inProcessFetcher({ env: io.env, log: io.stderr, mirrors, ...inProcess })
  } catch (error) {
    // A bad setting reads as the server would say it at start: the variable and what is wrong with it.
    if (isLarderError(error)) throw new UsageError(`cannot open the store: ${error.message}${error.hint ? ` (${error.hint})` : ''}`)
    if (error instanceof TypeError) throw new UsageError(error.message)
    throw error
  }
}
