/**
 * Benchmark 5: container image layers. Warm: a 50 MB blob from Larder's store to 16 clients vs the same file from the
 * static reference. Cold: peak RSS while 10 clients pull a 1 GB blob Larder has to fetch (once) vs the reference.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import { makeTempDir, startFixtureServer } from '@larder/testkit'
import { Agent, request } from 'undici'
import { compareThroughput } from './lib/compare.mjs'
import { BYTES_PER_MB, countBytes, fetchOnce } from './lib/load.mjs'
import { sampleProcess } from './lib/process-sampler.mjs'
import { startLarder, startReference } from './lib/processes.mjs'

export const OCI_OPTIONS = { warmMb: 50, concurrency: 16, requests: 96, warmupRequests: 16, coldMb: 1024, coldClients: 10 }
const REPO = 'bench/layer'

export async function ociBlobs(options = OCI_OPTIONS) {
  const work = await makeTempDir('larder-bench-oci-')
  const blobs = join(work.path, 'v2', REPO, 'blobs')
  await mkdir(blobs, { recursive: true })
  const stops = [() => work.cleanup()]
  try {
    const warm = await writeLayer(blobs, options.warmMb)
    const cold = await writeLayer(blobs, options.coldMb)
    // A registry needs no more than the blob route for a pull by digest; it counts what Larder asks for.
    const upstream = await startFixtureServer({
      handler: (req, res) => {
        const layer = [warm, cold].find((l) => req.url === `/v2/${REPO}/blobs/${l.digest}`)
        if (!layer) return void res.writeHead(404, { 'content-length': 0 }).end()
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': layer.size, 'docker-content-digest': layer.digest })
        if (req.method === 'HEAD') return void res.end()
        createReadStream(layer.path).pipe(res)
      },
    })
    stops.unshift(() => upstream.stop())
    const env = { LARDER_OCI_UPSTREAMS: `bench=${upstream.url}`, LARDER_OCI_DEFAULT_UPSTREAM: 'bench' }
    const larderPath = (layer) => `/v2/bench/${REPO}/blobs/${layer.digest}`
    // GETs only: a miss first asks HEAD (through the token dance) whether the registry has the blob.
    const hits = (layer) => upstream.requests.filter((r) => r.method === 'GET' && r.path.endsWith(layer.digest)).length

    const reference = await startReference(work.path)
    stops.unshift(reference.stop)
    const coldLarder = await startLarder({ dataDir: join(work.path, 'data'), npmUpstream: upstream.url, env })
    let coldResult
    try {
      coldResult = await pullTogether(coldLarder, larderPath(cold), cold, options.coldClients)
    } finally {
      await coldLarder.stop()
    }
    const coldReference = await pullTogether(reference, `/v2/${REPO}/blobs/${cold.digest}`, cold, options.coldClients)
    if (hits(cold) !== 1) throw new Error(`upstream served the 1 GB layer ${hits(cold)} times to ${options.coldClients} clients; expected 1`)

    const larder = await startLarder({ dataDir: join(work.path, 'data'), npmUpstream: upstream.url, env })
    stops.unshift(larder.stop)
    const first = await fetchOnce(larder.url + larderPath(warm))
    if (first.status !== 200 || first.body.length !== warm.size) throw new Error(`warming ${larderPath(warm)}: status ${first.status}`)
    const throughput = await compareThroughput({
      servers: { larder, reference },
      paths: { larder: larderPath(warm), reference: `/v2/${REPO}/blobs/${warm.digest}` },
      expectedBytes: warm.size,
      concurrency: options.concurrency,
      requests: options.requests,
      warmupRequests: options.warmupRequests,
    })
    if (hits(warm) !== 1) throw new Error(`upstream served the warm layer ${hits(warm)} times; expected 1`)
    return {
      warm: throughput,
      cold: {
        layerBytes: cold.size,
        clients: options.coldClients,
        larder: coldResult,
        reference: coldReference,
        peakRatio: coldResult.server.peakRssMb / coldReference.server.peakRssMb,
      },
    }
  } finally {
    for (const stop of stops) await stop()
  }
}

/** A layer of random bytes written in 1 MB chunks, named by its digest as a registry stores it. */
async function writeLayer(dir, megabytes) {
  const hash = createHash('sha256')
  const path = join(dir, `pending-${megabytes}`)
  const out = createWriteStream(path)
  for (let i = 0; i < megabytes; i++) {
    const chunk = randomBytes(BYTES_PER_MB)
    hash.update(chunk)
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  const digest = `sha256:${hash.digest('hex')}`
  const { rename } = await import('node:fs/promises')
  await rename(path, join(dir, digest))
  return { path: join(dir, digest), digest, size: megabytes * BYTES_PER_MB }
}

/** Every client starts together and reads as fast as it can; each must get every byte. */
async function pullTogether(server, path, layer, clients) {
  const dispatcher = new Agent({ connections: clients })
  const sampler = sampleProcess(server.pid)
  const begin = performance.now()
  try {
    const received = await Promise.all(
      Array.from({ length: clients }, async () => {
        const { statusCode, body } = await request(server.url + path, { dispatcher })
        if (statusCode !== 200) throw new Error(`${server.name} GET ${path}: status ${statusCode}`)
        const bytes = await countBytes(body)
        if (bytes !== layer.size) throw new Error(`${server.name} got ${bytes} bytes, expected ${layer.size}`)
        return bytes
      }),
    )
    const seconds = (performance.now() - begin) / 1000
    return { seconds, megabytesPerSecond: received.reduce((a, b) => a + b, 0) / BYTES_PER_MB / seconds, server: sampler.stop() }
  } finally {
    await dispatcher.close()
  }
}
