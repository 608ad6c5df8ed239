/**
 * Benchmark: the first byte of a tarball asked for before its packument is cached (pnpm and yarn with a
 * lockfile do this), through a cold Larder against the same tarball straight from the upstream, and once held.
 */
import { join } from 'node:path'
import { bigPackument, makeTempDir, startNpmRegistryFixture } from '@larder/testkit'
import { Agent, request } from 'undici'
import { startLarder } from './lib/processes.mjs'
import { median } from './lib/timing.mjs'

export const COLD_OPTIONS = {
  /** A packument of a few MB, like typescript's, which Larder parses and stores before it knows the tarball's digest. */
  versions: 3_000,
  rounds: 3,
}

/** ms to the first body byte, and to the last, of one GET on a fresh connection. */
async function timeGet(url) {
  const dispatcher = new Agent()
  const begin = performance.now()
  try {
    const { statusCode, body } = await request(url, { dispatcher })
    let first
    let bytes = 0
    for await (const chunk of body) {
      first ??= performance.now() - begin
      bytes += chunk.length
    }
    if (statusCode !== 200) throw new Error(`GET ${url}: status ${statusCode}`)
    return { firstByteMs: first, lastByteMs: performance.now() - begin, bytes }
  } finally {
    await dispatcher.close()
  }
}

export async function coldFirstByte(options = COLD_OPTIONS) {
  const versions = await bigPackument('bench-cold', options.versions)
  const latest = versions.at(-1)
  // Another package of the same shape, fetched first: the measured miss is not also a new process's first request.
  const warmup = await bigPackument('bench-cold-warmup', options.versions)
  const upstream = await startNpmRegistryFixture({ packages: [...versions, ...warmup] })
  const work = await makeTempDir('larder-bench-cold-')
  const tarballPath = `/bench-cold/-/${latest.filename}`
  const rounds = { direct: [], cold: [], held: [] }
  try {
    for (let round = 0; round < options.rounds; round++) {
      rounds.direct.push(await timeGet(upstream.url + tarballPath))
      const larder = await startLarder({ dataDir: join(work.path, `data-${round}`), npmUpstream: upstream.url })
      try {
        await timeGet(`${larder.url}/npm/bench-cold-warmup/-/${warmup.at(-1).filename}`)
        rounds.cold.push(await timeGet(`${larder.url}/npm${tarballPath}`))
        rounds.held.push(await timeGet(`${larder.url}/npm${tarballPath}`))
      } finally {
        await larder.stop()
      }
    }
    const figure = (side, field) => median(rounds[side].map((r) => r[field]))
    return {
      packumentBytes: JSON.stringify(upstream.packument('bench-cold')).length,
      tarballBytes: latest.tarball.length,
      directFirstByteMs: figure('direct', 'firstByteMs'),
      coldFirstByteMs: figure('cold', 'firstByteMs'),
      coldLastByteMs: figure('cold', 'lastByteMs'),
      heldFirstByteMs: figure('held', 'firstByteMs'),
      ratio: figure('cold', 'firstByteMs') / figure('direct', 'firstByteMs'),
      rounds,
    }
  } finally {
    await upstream.stop()
    await work.cleanup()
  }
}
