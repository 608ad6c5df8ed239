/**
 * Benchmark: cached packument req/s with LARDER_WORKERS=2 against one worker, same machine, same run.
 * Nothing is pinned: the workers take the cores they can; wrk (one thread) shares them, so on a
 * 2-core machine the ratio's ceiling is below 2.
 */
import { join } from 'node:path'
import { bigPackument, makeTempDir, startNpmRegistryFixture, waitFor } from '@larder/testkit'
import { fetchOnce } from './lib/load.mjs'
import { startLarder } from './lib/processes.mjs'
import { runWrk } from './lib/wrk.mjs'
import { ABBREVIATED_ACCEPT } from './packument-throughput.mjs'
import { median } from './lib/timing.mjs'

export const WORKERS_OPTIONS = { workers: 2, connections: 64, rounds: 3, seconds: 5, versions: 114 }

export async function workersScaling(options = WORKERS_OPTIONS) {
  const packages = await bigPackument('bench-workers', options.versions)
  const upstream = await startNpmRegistryFixture({ packages })
  const work = await makeTempDir('larder-bench-workers-')
  const stops = [() => upstream.stop(), () => work.cleanup()]
  try {
    const servers = {}
    for (const workers of [1, options.workers]) {
      const larder = await startLarder({ dataDir: join(work.path, `data-${workers}`), npmUpstream: upstream.url, env: { LARDER_WORKERS: String(workers) } })
      stops.unshift(larder.stop)
      servers[workers] = larder
    }
    const path = '/npm/bench-workers'
    const headers = { accept: ABBREVIATED_ACCEPT }
    for (const larder of Object.values(servers)) {
      // /readyz answers once the first worker listens; every worker is up once each has answered.
      await waitFor(async () => (await fetchOnce(larder.url + path, headers)).status === 200, { timeoutMs: 30_000, description: 'the packument' })
      await runWrk({ url: larder.url + path, connections: options.connections, seconds: 2, headers })
    }
    const rounds = { one: [], many: [] }
    for (let round = 0; round < options.rounds; round++) {
      rounds.one.push(await runWrk({ url: servers[1].url + path, connections: options.connections, seconds: options.seconds, headers }))
      rounds.many.push(await runWrk({ url: servers[options.workers].url + path, connections: options.connections, seconds: options.seconds, headers }))
    }
    const one = median(rounds.one.map((r) => r.requestsPerSecond))
    const many = median(rounds.many.map((r) => r.requestsPerSecond))
    return { workers: options.workers, oneWorker: one, manyWorkers: many, ratio: many / one, upstreamHits: upstream.totalHits(), rounds }
  } finally {
    for (const stop of stops) await stop()
  }
}
