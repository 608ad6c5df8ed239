/**
 * Benchmark: warm tarballs through three replicas on Ceph RGW + PostgreSQL against one replica on the
 * filesystem store, both behind the same nginx load balancer and measured in the same run; and the upstream
 * fetch count when 100 clients miss one artifact at once across the replicas.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { makeTempDir, packNpmPackage, startCephRgw, startNpmRegistryFixture, startPostgres } from '@larder/testkit'
import { fetchOnce } from './lib/load.mjs'
import { runNginx } from './lib/nginx.mjs'
import { HOST, freePort, startLarder } from './lib/processes.mjs'
import { runWrk } from './lib/wrk.mjs'

export const REPLICAS_OPTIONS = {
  replicas: 3,
  connections: 16,
  /** wrk's default 2 s would count a slow multi-MB answer on a loaded 2-core machine as an error. */
  timeoutSeconds: 20,
  rounds: 3,
  seconds: 5,
  /** A tarball small enough for each replica's memory cache, and one past it that streams from the store. */
  sizes: [
    { label: '316 kB tarball', textBytes: 420_000 },
    { label: '4 MB tarball', textBytes: 5_400_000 },
  ],
  coalescingClients: 100,
}

export async function replicasComparison(options = REPLICAS_OPTIONS) {
  const packages = await Promise.all(
    [...options.sizes.map((size, i) => ({ name: `bench-replica-${i}`, textBytes: size.textBytes })), { name: 'bench-coalesce', textBytes: 2_000_000 }].map(
      ({ name, textBytes }) =>
        packNpmPackage({ name, version: '1.0.0', files: { 'index.js': '1\n', 'data.txt': randomBytes((textBytes * 3) / 4).toString('base64') } }),
    ),
  )
  const upstream = await startNpmRegistryFixture({ packages })
  const work = await makeTempDir('larder-bench-replicas-')
  const stops = [() => upstream.stop(), () => work.cleanup()]
  try {
    const [ceph, postgres] = await Promise.all([startCephRgw(), startPostgres()])
    stops.unshift(
      () => ceph.cleanup(),
      () => postgres.cleanup(),
    )
    const shared = {
      LARDER_STORE: 's3',
      LARDER_S3_ENDPOINT: ceph.endpoint,
      LARDER_S3_BUCKET: 'larder-bench',
      LARDER_S3_REGION: ceph.region,
      LARDER_S3_ACCESS_KEY_ID: ceph.accessKeyId,
      LARDER_S3_SECRET_ACCESS_KEY: ceph.secretAccessKey,
      LARDER_S3_CREATE_BUCKET: '1',
      LARDER_DATABASE_URL: await postgres.createDatabase('larder'),
      LARDER_MIN_FREE_MB: '0',
    }
    const replicas = []
    for (let i = 0; i < options.replicas; i++) {
      const replica = await startLarder({ dataDir: join(work.path, `replica-${i}`), npmUpstream: upstream.url, env: shared })
      stops.unshift(replica.stop)
      replicas.push(replica)
    }
    const single = await startLarder({ dataDir: join(work.path, 'fs'), npmUpstream: upstream.url })
    stops.unshift(single.stop)
    const balancer = await startBalancer(work.path, { ha: replicas.map((r) => r.url), fs: [single.url] })
    stops.unshift(balancer.stop)

    const cases = []
    for (const [i, size] of options.sizes.entries()) {
      const path = `/npm/bench-replica-${i}/-/${packages[i].filename}`
      const targets = { fs: `${balancer.urls.fs}${path}`, ha: `${balancer.urls.ha}${path}` }
      // Warm: every replica asks once, so each has the blob's presence (and small ones in memory).
      for (const url of [...replicas.map((r) => r.url + path), single.url + path]) {
        const warmed = await fetchOnce(url)
        if (warmed.status !== 200 || warmed.body.length !== packages[i].tarball.length) throw new Error(`warming ${url}: ${warmed.status}`)
      }
      const rounds = { fs: [], ha: [] }
      for (let round = 0; round < options.rounds; round++) {
        for (const [side, url] of Object.entries(targets))
          rounds[side].push(await runWrk({ url, connections: options.connections, seconds: options.seconds, timeoutSeconds: options.timeoutSeconds }))
      }
      const fs = medianRun(rounds.fs)
      const ha = medianRun(rounds.ha)
      cases.push({
        label: size.label,
        bytes: packages[i].tarball.length,
        connections: options.connections,
        fs,
        ha,
        ratio: ha.requestsPerSecond / fs.requestsPerSecond,
        rounds,
      })
    }

    const coalescePath = `/npm/bench-coalesce/-/${packages.at(-1).filename}`
    await upstream.setFault('slow', (p) => p.endsWith(packages.at(-1).filename), { bytesPerTick: 64 * 1024, tickMs: 20 })
    const answers = await Promise.all(Array.from({ length: options.coalescingClients }, (_, i) => fetchOnce(replicas[i % replicas.length].url + coalescePath)))
    await upstream.setFault(null)
    const wrong = answers.filter((a) => a.status !== 200 || a.body.length !== packages.at(-1).tarball.length).length
    const upstreamFetches = upstream.hitCount((p) => p.endsWith(packages.at(-1).filename))
    return { options, cases, coalescing: { clients: options.coalescingClients, replicas: replicas.length, upstreamFetches, wrongAnswers: wrong } }
  } finally {
    for (const stop of stops) await Promise.resolve(stop()).catch(() => {})
  }
}

/** nginx with one upstream group per side, keep-alive to the replicas, each side on its own port. */
async function startBalancer(workDir, sides) {
  const ports = {}
  for (const side of Object.keys(sides)) ports[side] = await freePort()
  const http = Object.entries(sides)
    .map(
      ([side, urls]) => `  upstream ${side} {
${urls.map((url) => `    server ${new URL(url).host};`).join('\n')}
    keepalive 64;
  }
  server {
    listen ${HOST}:${ports[side]};
    location / {
      proxy_pass http://${side};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
    }
  }`,
    )
    .join('\n')
  const urls = Object.fromEntries(Object.entries(ports).map(([side, port]) => [side, `http://${HOST}:${port}`]))
  const child = await runNginx({ dir: join(workDir, 'balancer'), http, readyUrl: `${urls.fs}/healthz` })
  return { urls, stop: () => child.stop() }
}

function medianRun(list) {
  const sorted = [...list].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)
  return sorted[Math.floor(sorted.length / 2)]
}
