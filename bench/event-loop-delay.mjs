/** Benchmark 4: Larder's event-loop delay, idle and while 10 clients stream a 500 MB artifact and 30 MB packuments are processed, all cold. */
import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { bigPackument, makeTempDir, startNpmRegistryFixture } from '@larder/testkit'
import { Agent, request } from 'undici'
import { makeArtifact } from './lib/artifact.mjs'
import { BYTES_PER_MB, countBytes, fetchOnce } from './lib/load.mjs'
import { LOOP_DELAY_FILE_ENV } from './lib/loop-delay-probe.mjs'
import { LOOP_DELAY_PROBE, loopDelayReader } from './lib/loop-delay-reader.mjs'
import { sampleProcess } from './lib/process-sampler.mjs'
import { startLarder, startReference } from './lib/processes.mjs'

export const LOOP_OPTIONS = {
  artifactMb: 500,
  clients: 10,
  idleSeconds: 5,
  /** With these names a bigPackument version is ~795 bytes of full packument: 39 600 make 30 MB upstream. */
  packumentVersions: 39_600,
  /** One cold packument (a new name each time) is fetched when client 0 has this share of the artifact. */
  packumentAt: [0.2, 0.5, 0.8],
  targetP99Ms: 20,
  /** Extra node flags for the Larder process, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  larderNodeArgs: [],
}

const ARTIFACT = { name: 'bench-loop-huge', version: '1.0.0' }
const packumentName = (index) => `bench-loop-packument-${index}`

export async function eventLoopDelay(options = LOOP_OPTIONS) {
  const artifact = makeArtifact({ ...ARTIFACT, size: options.artifactMb * BYTES_PER_MB })
  const names = options.packumentAt.map((_, index) => packumentName(index))
  const packuments = await Promise.all(names.map((name) => bigPackument(name, options.packumentVersions)))
  const upstream = await startNpmRegistryFixture({ packages: [artifact.pkg, ...packuments.flat()] })
  const work = await makeTempDir('larder-bench-loop-')
  const stops = [() => upstream.stop(), () => work.cleanup()]
  try {
    // The fixture renders a packument on its first request: done here, so it does not compete during the run.
    const upstreamBytes = await Promise.all(names.map(async (name) => (await fetchOnce(`${upstream.url}/${name}`)).body.length))
    const probeFile = join(work.path, 'loop-delay.json')
    const larder = await startLarder({
      dataDir: join(work.path, 'data'),
      npmUpstream: upstream.url,
      nodeArgs: [...options.larderNodeArgs, '--import', LOOP_DELAY_PROBE],
      env: { [LOOP_DELAY_FILE_ENV]: probeFile },
    })
    stops.unshift(larder.stop)
    const probe = loopDelayReader(larder.pid, probeFile)

    // As npm would, the artifact's own (small) packument comes first: the run then measures the fill alone.
    const artifactPackument = await fetchOnce(`${larder.url}/npm/${ARTIFACT.name}`)
    if (artifactPackument.status !== 200) throw new Error(`GET /npm/${ARTIFACT.name}: status ${artifactPackument.status}`)
    await probe.snapshot() // drops start-up and that first request
    await sleep(options.idleSeconds * 1000)
    const idle = await probe.snapshot()
    const loadAverageIdle = loadavg()[0]

    const sampler = sampleProcess(larder.pid)
    const load = await streamWhileFetchingPackuments(larder, artifact, names, options)
    const loadDelay = await probe.snapshot()
    const server = sampler.stop()

    await larder.stop()
    stops.shift()
    const reference = await referenceUnderLoad(artifact, work.path, options)

    for (const [index, fetched] of load.packuments.entries()) checkPackument(fetched, names[index], options.packumentVersions)
    const upstreamArtifactHits = upstream.hitCount((path) => path.endsWith('.tgz'))
    if (upstreamArtifactHits !== 1) throw new Error(`upstream served the artifact ${upstreamArtifactHits} times; expected 1`)
    return {
      targetP99Ms: options.targetP99Ms,
      idle,
      load: loadDelay,
      p99Ratio: loadDelay.p99Ms / idle.p99Ms,
      /** The same 10 streams from a plain static server with the same probe: what this machine allows. */
      reference,
      p99VsReference: loadDelay.p99Ms / reference.p99Ms,
      pass: loadDelay.p99Ms <= options.targetP99Ms,
      /** Other processes delay the loop too: an idle p99 above the target says the machine, not Larder, was busy. */
      loadAverage1m: { idle: loadAverageIdle, load: loadavg()[0] },
      artifactBytes: artifact.pkg.tarball.length,
      clients: options.clients,
      upstreamArtifactHits,
      stream: { seconds: load.seconds, megabytesPerSecond: load.megabytesPerSecond, cacheResults: load.cacheResults },
      packuments: {
        versions: options.packumentVersions,
        upstreamBytes,
        fetches: load.packuments.map(({ body, ...rest }) => ({ ...rest, servedBytes: body.length })),
      },
      server,
    }
  } finally {
    for (const stop of stops) await stop()
  }
}

/**
 * Cold fill of the artifact to `options.clients` clients at once; as client 0 passes each share in
 * `options.packumentAt`, one packument (never fetched before) is requested. Resolves when all are done.
 */
async function streamWhileFetchingPackuments(larder, artifact, names, options) {
  const size = artifact.pkg.tarball.length
  const path = `/npm/${ARTIFACT.name}/-/${artifact.pkg.filename}`
  const dispatcher = new Agent({ connections: options.clients })
  const begin = performance.now()
  const packumentFetches = []
  let nextPackument = 0
  const onClient0Progress = (received) => {
    while (nextPackument < names.length && received >= options.packumentAt[nextPackument] * size) {
      const fetching = fetchPackument(larder, names[nextPackument], begin)
      // Awaited once the streams are done; until then a failure must not count as unhandled.
      fetching.catch(() => {})
      packumentFetches.push(fetching)
      nextPackument++
    }
  }
  try {
    const received = await Promise.all(
      Array.from({ length: options.clients }, async (_, index) => {
        const { statusCode, headers, body } = await request(larder.url + path, { dispatcher })
        if (statusCode !== 200) throw new Error(`GET ${path}: status ${statusCode}`)
        let bytesSoFar = 0
        const bytes = await countBytes(body, index === 0 ? (chunk) => onClient0Progress((bytesSoFar += chunk.length)) : undefined)
        if (bytes !== size) throw new Error(`client ${index} got ${bytes} bytes, expected ${size}`)
        return { bytes, cache: headers['x-larder-cache'] ?? null }
      }),
    )
    const seconds = (performance.now() - begin) / 1000
    const packuments = await Promise.all(packumentFetches)
    if (packuments.length !== names.length) throw new Error(`only ${packuments.length} of ${names.length} packuments were requested`)
    const totalBytes = received.reduce((sum, r) => sum + r.bytes, 0)
    return { seconds, megabytesPerSecond: totalBytes / BYTES_PER_MB / seconds, cacheResults: received.map((r) => r.cache), packuments }
  } finally {
    await dispatcher.close()
  }
}

async function fetchPackument(larder, name, begin) {
  const startedMs = performance.now() - begin
  const response = await fetchOnce(`${larder.url}/npm/${name}`, { accept: 'application/json' })
  if (response.status !== 200) throw new Error(`GET /npm/${name}: status ${response.status}`)
  return { name, startedMs, ms: performance.now() - begin - startedMs, cache: response.headers['x-larder-cache'] ?? null, body: response.body }
}

/** Checked after the measurement, so that parsing 30 MB here does not take CPU from the server during it. */
function checkPackument(fetched, name, versions) {
  const count = Object.keys(JSON.parse(fetched.body.toString('utf8')).versions).length
  if (count !== versions) throw new Error(`/npm/${name} has ${count} versions, expected ${versions}`)
  if (fetched.cache !== 'MISS') throw new Error(`/npm/${name} answered x-larder-cache ${fetched.cache}; a cold fetch is a MISS`)
}

/** The same file to the same number of clients from the reference static server, its loop measured by the same probe. */
async function referenceUnderLoad(artifact, workDir, options) {
  const root = join(workDir, 'reference')
  await mkdir(root, { recursive: true })
  await writeFile(join(root, artifact.pkg.filename), artifact.pkg.tarball)
  const probeFile = join(workDir, 'reference-loop-delay.json')
  const reference = await startReference(root, { nodeArgs: ['--import', LOOP_DELAY_PROBE], env: { [LOOP_DELAY_FILE_ENV]: probeFile } })
  try {
    const probe = loopDelayReader(reference.pid, probeFile)
    await probe.snapshot()
    const dispatcher = new Agent({ connections: options.clients })
    try {
      await Promise.all(
        Array.from({ length: options.clients }, async () => {
          const { statusCode, body } = await request(`${reference.url}/${artifact.pkg.filename}`, { dispatcher })
          if (statusCode !== 200) throw new Error(`reference GET: status ${statusCode}`)
          const bytes = await countBytes(body)
          if (bytes !== artifact.pkg.tarball.length) throw new Error(`reference sent ${bytes} bytes`)
        }),
      )
    } finally {
      await dispatcher.close()
    }
    return await probe.snapshot()
  } finally {
    await reference.stop()
  }
}
