/**
 * Benchmark: cached tarballs and packuments from Larder against nginx serving the very bytes Larder sent,
 * each server pinned to core 0 and wrk pinned to core 1; Larder at warn level and at the production info level.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bigPackument, makeTempDir, packNpmPackage, startNpmRegistryFixture } from '@larder/testkit'
import { fetchOnce } from './lib/load.mjs'
import { startNginx } from './lib/nginx.mjs'
import { startLarder } from './lib/processes.mjs'
import { runWrk } from './lib/wrk.mjs'
import { ABBREVIATED_ACCEPT } from './packument-throughput.mjs'

export const NGINX_COMPARISON_OPTIONS = {
  serverCpu: 0,
  loadCpu: 1,
  connections: [16, 64],
  rounds: 3,
  seconds: 5,
  /** Base64 of random bytes gzips to ~3/4 of its length: ~420 kB of text packs to a ~316 kB tarball like the issue's. */
  tarballTextBytes: 420_000,
  /** lodash has 114 versions; its abbreviated packument is ~42 kB. */
  bigVersions: 114,
  smallVersions: 5,
}

export async function nginxComparison(options = NGINX_COMPARISON_OPTIONS) {
  const tarballPackage = await packNpmPackage({
    name: 'bench-tarball',
    version: '1.0.0',
    files: { 'index.js': 'module.exports = 1\n', 'data.txt': randomBytes((options.tarballTextBytes * 3) / 4).toString('base64') },
  })
  const big = await bigPackument('bench-lodash', options.bigVersions)
  const small = await bigPackument('bench-small', options.smallVersions)
  const upstream = await startNpmRegistryFixture({ packages: [tarballPackage, ...big, ...small] })
  const work = await makeTempDir('larder-bench-nginx-')
  const root = join(work.path, 'root')
  await mkdir(root)
  const cases = [
    { label: '316 kB tarball', path: `/npm/bench-tarball/-/${tarballPackage.filename}` },
    { label: 'abbreviated packument, 114 versions', path: '/npm/bench-lodash', headers: { accept: ABBREVIATED_ACCEPT } },
    { label: 'full packument, 114 versions', path: '/npm/bench-lodash' },
    { label: 'abbreviated packument, 5 versions', path: '/npm/bench-small', headers: { accept: ABBREVIATED_ACCEPT } },
    { label: 'full packument, 5 versions', path: '/npm/bench-small' },
  ]
  const stops = [() => upstream.stop(), () => work.cleanup()]
  try {
    const larders = {}
    for (const level of ['warn', 'info']) {
      larders[level] = await startLarder({
        dataDir: join(work.path, `data-${level}`),
        npmUpstream: upstream.url,
        cpu: options.serverCpu,
        logLevel: level,
        logFile: join(work.path, `larder-${level}.log`),
      })
      stops.unshift(larders[level].stop)
    }
    for (const [index, testCase] of cases.entries()) {
      testCase.file = `/case-${index}`
      for (const larder of Object.values(larders)) {
        const served = await fetchOnce(larder.url + testCase.path, testCase.headers)
        if (served.status !== 200) throw new Error(`warming GET ${testCase.path}: status ${served.status}`)
        testCase.bytes = served.body.length
        // Tarball links in the packument point at Larder's own address, so each Larder writes its own bytes:
        // the warn-level copy is what nginx serves.
        if (larder === larders.warn) await writeFile(join(root, testCase.file), served.body)
      }
    }
    const nginx = await startNginx({ root, workDir: work.path, cpu: options.serverCpu })
    stops.unshift(nginx.stop)

    const results = []
    for (const testCase of cases) {
      for (const connections of options.connections) {
        const targets = {
          nginx: nginx.url + testCase.file,
          larderWarn: larders.warn.url + testCase.path,
          larderInfo: larders.info.url + testCase.path,
        }
        const rounds = Object.fromEntries(Object.keys(targets).map((side) => [side, []]))
        for (let round = 0; round < options.rounds; round++) {
          for (const [side, url] of Object.entries(targets)) {
            const result = await runWrk({ url, connections, seconds: options.seconds, headers: testCase.headers, cpu: options.loadCpu })
            if (Math.abs(result.bytesPerRequest - testCase.bytes) > testCase.bytes * 0.05 + 600) {
              throw new Error(`${side} ${testCase.path}: ${Math.round(result.bytesPerRequest)} bytes per answer, expected ~${testCase.bytes}`)
            }
            rounds[side].push(result)
          }
        }
        const median = Object.fromEntries(Object.entries(rounds).map(([side, list]) => [side, medianRun(list)]))
        results.push({
          label: testCase.label,
          bytes: testCase.bytes,
          connections,
          ...median,
          ratio: median.larderWarn.requestsPerSecond / median.nginx.requestsPerSecond,
          infoOverWarn: median.larderInfo.requestsPerSecond / median.larderWarn.requestsPerSecond,
          rounds,
        })
      }
    }
    const upstreamHits = upstream.totalHits()
    return { options, cases: results, upstreamHits }
  } finally {
    for (const stop of stops) await stop()
  }
}

/** The round with the median req/s (its own p99 with it). */
function medianRun(list) {
  const sorted = [...list].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)
  return sorted[Math.floor(sorted.length / 2)]
}
