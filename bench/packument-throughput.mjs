/** Benchmark 2: packuments (multi-MB and small, full and abbreviated) from Larder's warm cache vs the same bytes from the reference. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bigPackument, makeTempDir, startNpmRegistryFixture } from '@larder/testkit'
import { compareThroughput } from './lib/compare.mjs'
import { fetchOnce } from './lib/load.mjs'
import { startLarder, startReference } from './lib/processes.mjs'

/** What npm 7+ sends when it only needs to resolve versions. */
export const ABBREVIATED_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*'

export const PACKUMENT_OPTIONS = {
  concurrency: 16,
  cases: [
    { name: 'bench-big', versions: 3_000, form: 'full', requests: 300, warmupRequests: 40 },
    { name: 'bench-big', versions: 3_000, form: 'abbreviated', requests: 300, warmupRequests: 40 },
    { name: 'bench-small', versions: 5, form: 'full', requests: 5_000, warmupRequests: 500 },
    { name: 'bench-small', versions: 5, form: 'abbreviated', requests: 5_000, warmupRequests: 500 },
  ],
}

export async function packumentThroughput(options = PACKUMENT_OPTIONS) {
  const versionCounts = new Map(options.cases.map((c) => [c.name, c.versions]))
  const packages = await Promise.all([...versionCounts].map(([name, count]) => bigPackument(name, count)))
  const upstream = await startNpmRegistryFixture({ packages: packages.flat() })
  const work = await makeTempDir('larder-bench-packument-')
  const stops = [() => upstream.stop(), () => work.cleanup()]
  try {
    const larder = await startLarder({ dataDir: join(work.path, 'data'), npmUpstream: upstream.url })
    stops.unshift(larder.stop)
    const reference = await startReference(work.path)
    stops.unshift(reference.stop)

    const results = []
    for (const testCase of options.cases) {
      const headers = testCase.form === 'abbreviated' ? { accept: ABBREVIATED_ACCEPT } : {}
      const larderPath = `/npm/${testCase.name}`
      // The reference serves exactly what Larder answered (tarball links point at Larder: same host, same bytes).
      const served = await fetchOnce(larder.url + larderPath, headers)
      if (served.status !== 200) throw new Error(`GET ${larderPath} (${testCase.form}): status ${served.status}`)
      const versionCount = Object.keys(JSON.parse(served.body.toString()).versions).length
      if (versionCount !== testCase.versions) throw new Error(`${larderPath} has ${versionCount} versions, expected ${testCase.versions}`)
      const saved = `${testCase.name}.${testCase.form}.json`
      await writeFile(join(work.path, saved), served.body)
      const result = await compareThroughput({
        servers: { larder, reference },
        paths: { larder: larderPath, reference: `/${saved}` },
        headers,
        expectedBytes: served.body.length,
        concurrency: options.concurrency,
        requests: testCase.requests,
        warmupRequests: testCase.warmupRequests,
      })
      results.push({ ...testCase, contentType: served.headers['content-type'], ...result })
    }
    const upstreamPackumentHits = upstream.totalHits()
    if (upstreamPackumentHits !== versionCounts.size) {
      throw new Error(`upstream was asked ${upstreamPackumentHits} times for ${versionCounts.size} packuments; a warm cache should ask once each`)
    }
    return { cases: results, upstreamPackumentHits }
  } finally {
    for (const stop of stops) await stop()
  }
}
