/**
 * Larder's benchmarks: `npm run bench` (builds first) or `node bench/run.mjs [nginx] [cold] [workers] [replicas] [tarball] [packument] [streaming] [loop] [oci] [rebuild] [installs]`.
 * Cached reads are compared with nginx serving the bytes Larder sent (each pinned to core 0, wrk on core 1).
 * Throughput and memory are ratios against a plain static file server measured in the same run, event-loop
 * delay under load is compared with the idle figure; results go to the console and to bench/.out/results.json.
 */
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { clientInstalls } from './client-installs.mjs'
import { coldFirstByte } from './cold-first-byte.mjs'
import { eventLoopDelay } from './event-loop-delay.mjs'
import { nginxComparison } from './nginx-comparison.mjs'
import { workersScaling } from './workers-scaling.mjs'
import { replicasComparison } from './replicas-comparison.mjs'
import { ociBlobs } from './oci-blobs.mjs'
import { fixed, formatTable } from './lib/table.mjs'
import { packumentThroughput } from './packument-throughput.mjs'
import { rebuildGuarantee } from './rebuild-guarantee.mjs'
import { streamingMemory } from './streaming-memory.mjs'
import { tarballThroughput } from './tarball-throughput.mjs'

const BENCHMARKS = {
  nginx: nginxComparison,
  cold: coldFirstByte,
  workers: workersScaling,
  replicas: replicasComparison,
  tarball: tarballThroughput,
  packument: packumentThroughput,
  streaming: streamingMemory,
  loop: eventLoopDelay,
  oci: ociBlobs,
  rebuild: rebuildGuarantee,
  installs: clientInstalls,
}
const OUT_DIR = fileURLToPath(new URL('./.out/', import.meta.url))
const LARDER_MAIN = fileURLToPath(new URL('../apps/server/dist/main.js', import.meta.url))

const selected = process.argv.slice(2)
const unknown = selected.filter((name) => !(name in BENCHMARKS))
if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`)
if (!existsSync(LARDER_MAIN)) throw new Error(`${LARDER_MAIN} is missing: build first, or run \`npm run bench\`, which does`)

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(totalmem() / 1024 ** 3),
  platform: `${process.platform} ${process.arch}`,
  /** Other work on the machine depresses absolute figures; the ratios are what to compare across runs. */
  loadAverage1m: loadavg()[0],
}
console.log(`Larder benchmarks: ${machine.date}, Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, load average ${fixed(machine.loadAverage1m, 2)}`)

const results = { machine, seconds: {} }
const begin = performance.now()
for (const name of selected.length > 0 ? selected : Object.keys(BENCHMARKS)) {
  const started = performance.now()
  process.stdout.write(`running ${name} ... `)
  results[name] = await BENCHMARKS[name]()
  results.seconds[name] = (performance.now() - started) / 1000
  console.log(`${fixed(results.seconds[name], 1)} s`)
}
results.seconds.total = (performance.now() - begin) / 1000

console.log(`\n${summary(results)}\n`)
await mkdir(OUT_DIR, { recursive: true })
await writeFile(new URL('results.json', `file://${OUT_DIR}`), `${JSON.stringify(results, null, 2)}\n`)
console.log(`total ${fixed(results.seconds.total, 0)} s; details in bench/.out/results.json`)

function summary({ nginx, cold, workers, replicas, tarball, packument, streaming, loop, oci, rebuild, installs }) {
  const parts = []
  if (nginx) {
    const ms = (r) => fixed(r.p99Ms, 1)
    const rows = nginx.cases.map((c) => [
      `${c.label} (${kb(c.bytes)}), ${c.connections} conns`,
      fixed(c.nginx.requestsPerSecond),
      fixed(c.larderWarn.requestsPerSecond),
      fixed(c.larderInfo.requestsPerSecond),
      fixed(c.ratio, 2),
      fixed(c.infoOverWarn, 2),
      `${ms(c.nginx)} / ${ms(c.larderWarn)} / ${ms(c.larderInfo)}`,
    ])
    parts.push(
      formatTable([
        ['cached, one core each', 'nginx req/s', 'Larder warn', 'Larder info', 'warn ÷ nginx', 'info ÷ warn', 'p99 ms nginx / warn / info'],
        ...rows,
      ]),
    )
  }
  if (cold) {
    parts.push(
      formatTable([
        [`tarball before its packument (${kb(cold.packumentBytes)} packument)`, 'first byte ms', 'last byte ms'],
        ['straight from the upstream', fixed(cold.directFirstByteMs, 1), ''],
        ['through Larder, cold', fixed(cold.coldFirstByteMs, 1), fixed(cold.coldLastByteMs, 1)],
        ['through Larder, held', fixed(cold.heldFirstByteMs, 1), ''],
      ]),
    )
  }
  if (workers) {
    parts.push(
      `LARDER_WORKERS=${workers.workers}: ${fixed(workers.manyWorkers)} req/s against ${fixed(workers.oneWorker)} with one worker (${fixed(workers.ratio, 2)} ×, target >= 1.7); upstream asked ${workers.upstreamHits} times`,
    )
  }
  if (replicas) {
    const ms = (r) => fixed(r.p99Ms, 1)
    parts.push(
      formatTable([
        [
          `${replicas.cases[0]?.connections} conns through nginx`,
          `1 replica, fs req/s`,
          `${replicas.coalescing.replicas} replicas, S3 + PostgreSQL req/s`,
          'ratio',
          'p99 ms fs / ha',
        ],
        ...replicas.cases.map((c) => [
          `${c.label} (${kb(c.bytes)})`,
          fixed(c.fs.requestsPerSecond),
          fixed(c.ha.requestsPerSecond),
          fixed(c.ratio, 2),
          `${ms(c.fs)} / ${ms(c.ha)}`,
        ]),
      ]),
      `${replicas.coalescing.clients} concurrent misses over ${replicas.coalescing.replicas} replicas: ${replicas.coalescing.upstreamFetches} upstream fetch(es), ${replicas.coalescing.wrongAnswers} wrong answers (target 1, 0)`,
    )
  }
  if (rebuild) {
    const seconds = (ms) => fixed(ms / 1000, 1)
    parts.push(
      formatTable([
        [`rebuild guarantee, ${rebuild.packages} packages, ${fixed(rebuild.bundleMb, 1)} MB`, 'seconds or MB/s', 'reference', 'ratio (target)'],
        ['larder prefetch --server, cold', seconds(rebuild.prefetchMs), `npm ci ${seconds(rebuild.npmCiMs)}`, `${fixed(rebuild.ratio, 2)} (<= 0.5)`],
        ['larder prefetch in-process, cold', seconds(rebuild.inProcessMs), `npm ci ${seconds(rebuild.npmCiMs)}`, fixed(rebuild.inProcessRatio, 2)],
        ['larder export MB/s', fixed(rebuild.export.mbPerSecond), `tar -c ${fixed(rebuild.export.tarMbPerSecond)}`, fixed(rebuild.export.ratio, 2)],
        ['larder import MB/s', fixed(rebuild.import.mbPerSecond), `tar -x ${fixed(rebuild.import.tarMbPerSecond)}`, fixed(rebuild.import.ratio, 2)],
      ]),
    )
  }
  if (installs) {
    const seconds = (ms) => fixed(ms / 1000, 2)
    const row = (label, reference, larder, target) => [
      label,
      reference.ms.map(seconds).join(' '),
      larder.ms.map(seconds).join(' '),
      `${seconds(reference.medianMs)} / ${seconds(larder.medianMs)}`,
      `${fixed(larder.medianMs / reference.medianMs, 2)} (<= ${target})`,
    ]
    const { pnpmCold, pnpmWarm, npmCi } = installs.rounds
    const counts = (requests) =>
      Object.entries(requests ?? {})
        .map(([kind, count]) => `${count} ${kind}`)
        .join(', ') || 'none'
    parts.push(
      formatTable([
        [
          `client installs, ${installs.packages} packages, ${fixed(installs.tarballMb, 1)} MB`,
          'reference s, each round',
          'Larder s, each round',
          'medians s',
          'ratio (target)',
        ],
        row('pnpm --frozen-lockfile, cold servers, Verdaccio', pnpmCold.verdaccio, pnpmCold.larder, 1),
        row('pnpm --frozen-lockfile, warm servers, Verdaccio', pnpmWarm.verdaccio, pnpmWarm.larder, 0.8),
        row('pnpm --frozen-lockfile, warm, nginx with the same bytes', pnpmWarm.nginx, pnpmWarm.larder, '-'),
        row('npm ci, warm, nginx with the bytes Larder sent', npmCi.nginx, npmCi.larder, 1.05),
      ]),
      `Larder asked, per install: pnpm cold ${counts(pnpmCold.larder.requests)}; pnpm warm ${counts(pnpmWarm.larder.requests)}; npm ci ${counts(npmCi.larder.requests)}. Upstream asked, per cold pnpm install: by Verdaccio ${counts(pnpmCold.verdaccio.upstream)}; by Larder ${counts(pnpmCold.larder.upstream)}`,
    )
  }
  const throughputRows = []
  const addThroughput = (label, r) =>
    throughputRows.push([
      label,
      fixed(r.larder.requestsPerSecond),
      fixed(r.larder.megabytesPerSecond),
      fixed(r.reference.requestsPerSecond),
      fixed(r.reference.megabytesPerSecond),
      fixed(r.ratio, 2),
      fixed(r.cpuRatio, 2),
    ])
  if (tarball) addThroughput(`tarball ${fixed(tarball.bodyBytes / 1024 ** 2, 1)} MB`, tarball)
  if (oci) addThroughput(`OCI layer ${fixed(oci.warm.bodyBytes / 1024 ** 2)} MB`, oci.warm)
  for (const c of packument?.cases ?? []) addThroughput(`packument ${c.versions} versions, ${c.form} (${kb(c.bodyBytes)})`, c)
  if (throughputRows.length > 0) {
    const header = ['warm cache, 16 clients', 'Larder req/s', 'MB/s', 'reference req/s', 'MB/s', 'ratio', 'CPU/req ratio']
    parts.push(formatTable([header, ...throughputRows]))
  }
  if (streaming) {
    const row = (label, r, ratio) => [
      label,
      fixed(r.server.baselineRssMb),
      fixed(r.server.peakRssMb),
      fixed(r.server.hwmMb),
      ratio,
      fixed(r.megabytesPerSecond),
      fixed(r.server.cpuSeconds, 1),
    ]
    const size = `${fixed(streaming.artifactBytes / 1024 ** 2)} MB × ${streaming.clients} clients`
    parts.push(
      formatTable([
        [size, 'idle RSS MB', 'peak RSS MB', 'VmHWM MB', 'peak ratio', 'MB/s', 'CPU s'],
        row('Larder, cold cache', streaming.larderCold, fixed(streaming.peakRatioCold, 2)),
        row('Larder, warm cache', streaming.larderWarm, fixed(streaming.peakRatioWarm, 2)),
        row('reference', streaming.reference, '1.00'),
      ]),
    )
    parts.push(`cold run: upstream served the artifact ${streaming.upstreamArtifactHits} time(s) for ${streaming.clients} concurrent clients`)
  }
  if (oci) {
    const row = (label, r, ratio) => [label, fixed(r.server.baselineRssMb), fixed(r.server.peakRssMb), ratio, fixed(r.megabytesPerSecond)]
    parts.push(
      formatTable([
        [`OCI layer ${fixed(oci.cold.layerBytes / 1024 ** 2)} MB × ${oci.cold.clients} clients`, 'idle RSS MB', 'peak RSS MB', 'peak ratio', 'MB/s'],
        row('Larder, cold cache (one upstream fetch)', oci.cold.larder, fixed(oci.cold.peakRatio, 2)),
        row('reference', oci.cold.reference, '1.00'),
      ]),
    )
  }
  if (loop) parts.push(loopSummary(loop))
  return parts.join('\n\n')
}

function loopSummary(loop) {
  const row = (label, d) => [
    label,
    fixed(d.p50Ms, 1),
    fixed(d.p99Ms, 1),
    fixed(d.maxMs, 1),
    String(d.samples),
    String(d.samplesOver),
    fixed(d.utilization * 100),
  ]
  const load = `${fixed(loop.artifactBytes / 1024 ** 2)} MB × ${loop.clients} clients + ${loop.packuments.fetches.length} × ${kb(Math.max(...loop.packuments.upstreamBytes))} packument, cold`
  const busyMachine = loop.idle.p99Ms > loop.targetP99Ms ? '; the idle p99 is over target too: other processes were delaying the loop' : ''
  const verdict = `${loop.pass ? 'PASS' : 'FAIL'}: p99 under load ${fixed(loop.load.p99Ms, 1)} ms (${fixed(loop.p99Ratio, 1)} × idle), target ≤ ${loop.targetP99Ms} ms${busyMachine}`
  return [
    formatTable([
      ['event-loop delay, ms', 'p50', 'p99', 'max', 'samples', `> ${loop.load.thresholdMs} ms`, 'loop busy %'],
      row('Larder idle', loop.idle),
      row(load, loop.load),
      row(`reference static server, the same ${loop.clients} streams (warm)`, loop.reference),
    ]),
    `${verdict}; ${fixed(loop.p99VsReference, 2)} × the reference's p99 in the same run`,
  ].join('\n')
}

function kb(bytes) {
  return bytes >= 1024 ** 2 ? `${fixed(bytes / 1024 ** 2, 1)} MB` : `${fixed(bytes / 1024, 1)} kB`
}
