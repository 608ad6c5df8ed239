/** `larder stats [--server URL]`: per ecosystem what the store holds, hosted and mirrored; with a server, its hit ratios since start. */
import { storeStats } from '@larder/core'
import type { CliIo } from '../commands/cli-io.js'
import { commandStore } from '../commands/store-folder.js'
import { EXIT_OK, HELP, UsageError } from '../commands/usage.js'
import { formatBytes, table } from '../report/format.js'
import { hitRatios, type HitRatio } from './hit-ratios.js'
import { parseCommandArgs } from '../commands/parse-command-args.js'

export async function runStatsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    server: { type: 'string' },
    token: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    io.stdout.write(HELP.stats!)
    return EXIT_OK
  }
  if (positionals.length > 0) throw new UsageError('stats takes no arguments')
  const opened = await commandStore(io)
  const { store } = opened
  let stats: Awaited<ReturnType<typeof storeStats>>
  try {
    stats = await storeStats(store)
  } finally {
    await opened.close()
  }
  const ratios = values.server ? await serverRatios(values.server, values.token ?? io.env.LARDER_TOKEN) : undefined
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ ...stats, ...(ratios ? { hitRatios: ratios } : {}) }, null, 2)}\n`)
    return EXIT_OK
  }
  const header = ['ecosystem', 'mirrored entries', 'files', 'bytes', 'hosted entries', 'files', 'bytes', ...(ratios ? ['hit ratio', 'requests'] : [])]
  const rows = Object.entries(stats.ecosystems)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, { mirrored, hosted }]) => {
      const r: HitRatio | undefined = ratios?.[name]
      return [
        name,
        String(mirrored.entries),
        String(mirrored.withBody),
        formatBytes(mirrored.bytes),
        String(hosted.entries),
        String(hosted.withBody),
        formatBytes(hosted.bytes),
        ...(ratios ? [r?.ratio == null ? '-' : `${(r.ratio * 100).toFixed(1)}%`, String(r?.requests ?? 0)] : []),
      ]
    })
  const { blobs } = stats
  io.stdout.write(
    `${table([header, ...rows], new Set([1, 2, 3, 4, 5, 6, 7, 8]))}\n` +
      `blobs on disk: ${blobs.count} (${formatBytes(blobs.bytes)}), of which ${blobs.unreferencedCount} no entry references (${formatBytes(blobs.unreferencedBytes)}: larder gc frees them)\n`,
  )
  return EXIT_OK
}

async function serverRatios(server: string, token: string | undefined): Promise<Record<string, HitRatio>> {
  let response: Response
  try {
    response = await fetch(new URL('/metrics', server), token ? { headers: { authorization: `Bearer ${token}` } } : {})
  } catch (error) {
    throw new UsageError(`cannot read ${server}/metrics: ${(error as Error).message}`)
  }
  if (!response.ok) throw new UsageError(`${server}/metrics answered ${response.status}`)
  return hitRatios(await response.text())
}
