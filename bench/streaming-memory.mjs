/**
 * Benchmark 3: memory while a 500 MB artifact streams to 10 clients at once, Larder cold and warm vs the reference.
 * LARDER_BENCH_STREAMING_MB sets another size (issue #18 asks for 2048).
 */
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, startNpmRegistryFixture } from '@larder/testkit'
import { Agent, request } from 'undici'
import { makeArtifact } from './lib/artifact.mjs'
import { BYTES_PER_MB, countBytes, fetchOnce } from './lib/load.mjs'
import { sampleProcess } from './lib/process-sampler.mjs'
import { startLarder, startReference } from './lib/processes.mjs'

export const STREAMING_OPTIONS = {
  artifactMb: Number(process.env.LARDER_BENCH_STREAMING_MB ?? 500),
  clients: 10,
}

const NAME = 'bench-huge'
const VERSION = '1.0.0'
const FILENAME = `${NAME}-${VERSION}.tgz`

export async function streamingMemory(options = STREAMING_OPTIONS) {
  const artifact = makeArtifact({ name: NAME, version: VERSION, size: options.artifactMb * BYTES_PER_MB })
  const upstream = await startNpmRegistryFixture({ packages: [artifact.pkg] })
  const work = await makeTempDir('larder-bench-streaming-')
  const stops = [() => work.cleanup()]
  try {
    await writeFile(join(work.path, FILENAME), artifact.pkg.tarball)
    const dataDir = join(work.path, 'data')
    const larderPath = `/npm/${NAME}/-/${FILENAME}`
    const tarballHits = () => upstream.hitCount((path) => path.endsWith('.tgz'))

    const cold = await withServer(startLarder({ dataDir, npmUpstream: upstream.url }), async (larder) => {
      // The packument is fetched first, as npm would: the cold run then measures the artifact fill alone.
      const packument = await fetchOnce(`${larder.url}/npm/${NAME}`)
      if (packument.status !== 200) throw new Error(`GET /npm/${NAME}: status ${packument.status}`)
      return streamToClients(larder, larderPath, artifact, options.clients)
    })
    const coldUpstreamHits = tarballHits()
    if (coldUpstreamHits !== 1) throw new Error(`upstream served the artifact ${coldUpstreamHits} times to ${options.clients} concurrent clients; expected 1`)
    // The upstream's copy of the artifact is not needed any more; stopping it lets the bench process shed it.
    await upstream.stop()

    const warm = await withServer(startLarder({ dataDir, npmUpstream: upstream.url }), (larder) =>
      streamToClients(larder, larderPath, artifact, options.clients),
    )
    const reference = await withServer(startReference(work.path), (server) => streamToClients(server, `/${FILENAME}`, artifact, options.clients))
    return {
      artifactBytes: artifact.pkg.tarball.length,
      clients: options.clients,
      upstreamArtifactHits: coldUpstreamHits,
      larderCold: cold,
      larderWarm: warm,
      reference,
      peakRatioCold: cold.server.peakRssMb / reference.server.peakRssMb,
      peakRatioWarm: warm.server.peakRssMb / reference.server.peakRssMb,
    }
  } finally {
    await upstream.stop()
    for (const stop of stops) await stop()
  }
}

/** A fresh server process per measurement, so VmHWM and the peak belong to this run alone. */
async function withServer(starting, use) {
  const server = await starting
  try {
    return await use(server)
  } finally {
    await server.stop()
  }
}

/**
 * All clients start together and read as fast as they can; every one must get every byte, and the
 * first one's bytes must hash to the artifact's sha256.
 */
async function streamToClients(server, path, artifact, clients) {
  const dispatcher = new Agent({ connections: clients })
  const sampler = sampleProcess(server.pid)
  const begin = performance.now()
  try {
    const received = await Promise.all(
      Array.from({ length: clients }, async (_, index) => {
        const { statusCode, headers, body } = await request(server.url + path, { dispatcher })
        if (statusCode !== 200) throw new Error(`${server.name} GET ${path}: status ${statusCode}`)
        const hash = index === 0 ? createHash('sha256') : undefined
        const bytes = await countBytes(body, hash && ((chunk) => hash.update(chunk)))
        if (bytes !== artifact.pkg.tarball.length) throw new Error(`${server.name} client ${index} got ${bytes} bytes, expected ${artifact.pkg.tarball.length}`)
        if (hash && hash.digest('hex') !== artifact.sha256) throw new Error(`${server.name} client 0 got bytes with the wrong sha256`)
        return { bytes, cache: headers['x-larder-cache'] ?? null }
      }),
    )
    const seconds = (performance.now() - begin) / 1000
    const totalBytes = received.reduce((sum, r) => sum + r.bytes, 0)
    return {
      seconds,
      megabytesPerSecond: totalBytes / BYTES_PER_MB / seconds,
      cacheResults: received.map((r) => r.cache),
      server: sampler.stop(),
    }
  } finally {
    await dispatcher.close()
  }
}
