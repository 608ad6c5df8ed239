/** `larder export --out FILE (<lockfile>... | --all)`: what the lockfiles need to install offline (or the whole store), as one verified bundle. */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { isLarderError, isSecretKey, referencedBlobs, type BlobInfo, type CacheEntry, type CacheStore } from '@larder/core'
import { lockfileChecksOf, type LockfileCheck } from '../bundle/blob-checks.js'
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleManifest } from '../bundle/bundle-manifest.js'
import { renderSbom } from '../bundle/sbom.js'
import { writeBundle } from '../bundle/write-bundle.js'
import { inProcessFetcher } from '../fetcher/in-process-fetcher.js'
import { formatBytes, formatDuration } from '../report/format.js'
import { byteProgressLine } from '../report/progress.js'
import { renderSummary, reportOk } from '../report/summary.js'
import type { CliIo } from './cli-io.js'
import { readConcurrency, readLockfiles, runLockfiles } from './lockfile-command.js'
import { EXIT_NOT_HELD, EXIT_OK, HELP, UsageError } from './usage.js'
import { parseCommandArgs } from './parse-command-args.js'

const TOOL = { name: 'larder', version: '0.1.0' }

export async function runExportCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    out: { type: 'string', short: 'o' },
    all: { type: 'boolean' },
    zstd: { type: 'boolean' },
    concurrency: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    io.stdout.write(HELP.export!)
    return EXIT_OK
  }
  if (!values.out) throw new UsageError('export needs --out FILE')
  if (values.all && positionals.length > 0) throw new UsageError('export takes lockfiles or --all, not both')
  if (!values.all && positionals.length === 0) throw new UsageError('export needs lockfiles, or --all for the whole store')
  const concurrency = readConcurrency(values.concurrency)
  const zstd = values.zstd ?? values.out.endsWith('.zst')
  const started = Date.now()
  const lockfiles = await readLockfiles(positionals, io)
  const read = new Map<string, CacheEntry>()
  // Offline, like verify: the bundle holds only what this store has, checked against the lockfiles.
  const fetcher = inProcessFetcher({
    env: io.env,
    mirrors: await io.mirrors(),
    offline: true,
    log: io.stderr,
    onEntryRead: (entry) => read.set(entry.key, entry),
  })
  try {
    let sbomOutcomes: Parameters<typeof renderSbom>[0] = []
    let lockfileChecks = new Map<string, LockfileCheck[]>()
    if (!values.all) {
      // Files answered from the store are held unread here: writing the bundle reads them and checks their digests then.
      const report = await runLockfiles('export', lockfiles, fetcher, concurrency, io, { closeFetcher: false, deferStoredBytes: true })
      if (!reportOk(report)) {
        io.stdout.write(renderSummary(report))
        io.stderr.write('larder: export refused: not everything the lockfiles name is held and verified here; run larder prefetch first\n')
        return EXIT_NOT_HELD
      }
      sbomOutcomes = report.lockfiles.flatMap((l) => l.outcomes)
      lockfileChecks = lockfileChecksOf(sbomOutcomes)
    } else {
      for await (const key of fetcher.store.listEntries('')) {
        // Replicas keep the hosted APT signing key in the store: a bundle carried elsewhere must not take it along.
        if (isSecretKey(key)) continue
        const entry = await fetcher.store.getEntry(key)
        if (entry?.status === 'ok') read.set(key, entry)
      }
    }
    const entries = [...read.values()].sort((a, b) => (a.key < b.key ? -1 : 1))
    const blobs = await heldBlobs(fetcher.store, entries)
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      createdAt: new Date().toISOString(),
      lockfiles: await Promise.all(
        lockfiles.map(async (l) => ({
          path: l.path,
          sha256: createHash('sha256')
            .update(await readFile(l.path))
            .digest('hex'),
        })),
      ),
      entries,
      blobs,
    }
    const total = blobs.reduce((n, b) => n + b.size, 0)
    const progress = byteProgressLine('export', total, io.stderr)
    let size: number
    try {
      size = await writeBundle(values.out, manifest, renderSbom(sbomOutcomes, TOOL), fetcher.store, { zstd, lockfileChecks, onBlob: (n) => progress.add(n) })
    } catch (error) {
      if (!isLarderError(error, 'E_INTEGRITY')) throw error
      io.stderr.write(`larder: export refused: ${error.message}${error.hint ? ` (${error.hint})` : ''}\n`)
      return EXIT_NOT_HELD
    } finally {
      progress.done()
    }
    const summary = { out: values.out, entries: entries.length, blobs: blobs.length, bytes: total, fileBytes: size, zstd, ms: Date.now() - started }
    io.stdout.write(
      values.json
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `exported ${entries.length} entries and ${blobs.length} files (${formatBytes(total)}) to ${values.out} (${formatBytes(size)}${zstd ? ', zstd' : ''}) in ${formatDuration(summary.ms)}\n`,
    )
    return EXIT_OK
  } finally {
    await fetcher.close()
  }
}

/** Each blob the entries need, once, with its size; one missing from the store is a damaged store, named. */
async function heldBlobs(store: CacheStore, entries: readonly CacheEntry[]): Promise<BlobInfo[]> {
  const wanted = [...new Set(entries.flatMap(referencedBlobs))].sort()
  const blobs: BlobInfo[] = []
  for (const sha256 of wanted) {
    const info = await store.statBlob(sha256)
    if (!info) {
      const owner = entries.find((entry) => referencedBlobs(entry).includes(sha256))!.key
      throw new UsageError(`the store lacks blob ${sha256} of ${owner}: run larder prefetch again (or larder fsck)`)
    }
    blobs.push(info)
  }
  return blobs
}
