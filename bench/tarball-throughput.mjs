/** Benchmark 1: a ~1 MB tarball from Larder's warm cache vs the same .tgz from the static reference server. */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, packNpmPackage, startNpmRegistryFixture } from '@larder/testkit'
import { compareThroughput } from './lib/compare.mjs'
import { fetchOnce } from './lib/load.mjs'
import { startLarder, startReference } from './lib/processes.mjs'

export const TARBALL_OPTIONS = {
  /** Base64 of random bytes gzips to ~3/4 of its length: 1.4 MB of text packs to a ~1 MB tarball. */
  randomTextBytes: 1_400_000,
  concurrency: 16,
  requests: 2_000,
  warmupRequests: 200,
}

export async function tarballThroughput(options = TARBALL_OPTIONS) {
  const name = 'bench-tarball'
  const pkg = await packNpmPackage({
    name,
    version: '1.0.0',
    files: { 'index.js': 'module.exports = 1\n', 'data.txt': randomBytes((options.randomTextBytes * 3) / 4).toString('base64') },
  })
  const upstream = await startNpmRegistryFixture({ packages: [pkg] })
  const work = await makeTempDir('larder-bench-tarball-')
  const stops = [() => upstream.stop(), () => work.cleanup()]
  try {
    await writeFile(join(work.path, pkg.filename), pkg.tarball)
    const larder = await startLarder({ dataDir: join(work.path, 'data'), npmUpstream: upstream.url })
    stops.unshift(larder.stop)
    const reference = await startReference(work.path)
    stops.unshift(reference.stop)

    const larderPath = `/npm/${name}/-/${pkg.filename}`
    const first = await fetchOnce(larder.url + larderPath)
    if (first.status !== 200 || !first.body.equals(pkg.tarball)) throw new Error(`warming GET ${larderPath}: status ${first.status}, wrong bytes`)
    const result = await compareThroughput({
      servers: { larder, reference },
      paths: { larder: larderPath, reference: `/${pkg.filename}` },
      expectedBytes: pkg.tarball.length,
      concurrency: options.concurrency,
      requests: options.requests,
      warmupRequests: options.warmupRequests,
    })
    const upstreamTarballHits = upstream.hitCount((path) => path.endsWith('.tgz'))
    if (upstreamTarballHits !== 1) throw new Error(`upstream served the tarball ${upstreamTarballHits} times; a warm cache should ask once`)
    return { ...result, upstreamTarballHits }
  } finally {
    for (const stop of stops) await stop()
  }
}
