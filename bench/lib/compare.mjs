/** One throughput comparison: the same URL path on Larder and on the reference, in alternating rounds. */
import { runLoad } from './load.mjs'
import { sampleProcess } from './process-sampler.mjs'

export const DEFAULT_ROUNDS = 2

/**
 * Rounds run in ABBA order (reference, Larder, Larder, reference, ...) so a drift in machine speed
 * hits both sides alike; each side reports its best round, since noise only ever slows a run down.
 * `servers` are { larder, reference } as started by processes.mjs; `paths` gives each side's path.
 */
export async function compareThroughput(options) {
  const { servers, paths, headers = {}, expectedBytes, requests, warmupRequests, concurrency, rounds = DEFAULT_ROUNDS } = options
  const target = (side) => ({ url: servers[side].url + paths[side], headers, expectedBytes, concurrency })
  for (const side of ['reference', 'larder']) await runLoad({ ...target(side), requests: warmupRequests })

  const runs = { larder: [], reference: [] }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['reference', 'larder'] : ['larder', 'reference']
    for (const side of order) {
      const sampler = sampleProcess(servers[side].pid)
      const result = await runLoad({ ...target(side), requests })
      const server = sampler.stop()
      runs[side].push({ ...result, server, serverCpuMsPerRequest: (server.cpuSeconds * 1000) / result.requests })
    }
  }
  const best = (side) => runs[side].reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a))
  const larder = best('larder')
  const reference = best('reference')
  return {
    bodyBytes: expectedBytes,
    concurrency: concurrency ?? null,
    larder,
    reference,
    ratio: larder.requestsPerSecond / reference.requestsPerSecond,
    /** Server CPU per request, Larder over reference: steadier than req/s when the load generator shares the cores. */
    cpuRatio: larder.serverCpuMsPerRequest / reference.serverCpuMsPerRequest,
    runs,
  }
}
