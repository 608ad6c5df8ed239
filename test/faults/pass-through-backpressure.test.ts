/** Streamed pass-through answers (npm search, Composer advisories) from close-delimited upstreams, read by paused clients: the one path where client backpressure reaches the upstream socket. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, startComposerMetadataFixture, startFaultProxy, startNpmRegistryFixture, waitFor, type FaultProxy } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { bigText } from './big-payload.js'
import { BACKPRESSURE_MODE, FAULT_SUITE_ENV } from './fault-target.js'
import { fetchOutcome, readWhilePaused } from './larder-fetch.js'

/** Big enough to fill the socket buffers between Larder and a paused client, small enough that the upstream hop's buffers take it all. */
const PASS_THROUGH_BYTES = 4 * 1024 * 1024
const stops: Array<() => Promise<void>> = []
let larder: LarderServer
let npmProxy: FaultProxy
let composerProxy: FaultProxy

beforeAll(async () => {
  const big = await packNpmPackage({ name: 'fault-search', version: '1.0.0', description: bigText(PASS_THROUGH_BYTES) })
  const registry = await startNpmRegistryFixture({ packages: [big] })
  const metadata = await startComposerMetadataFixture()
  metadata.setAdvisories('acme/fault-audit', [{ advisoryId: 'FAULT-1', packageName: 'acme/fault-audit', title: bigText(PASS_THROUGH_BYTES) }])
  npmProxy = await startFaultProxy({ target: registry.url, rewriteTargetUrls: true })
  // packages.json names the advisories API by the Host it was asked with: rewritten, it names the proxy.
  composerProxy = await startFaultProxy({ target: metadata.url, rewriteTargetUrls: true })
  stops.push(
    () => npmProxy.stop(),
    () => composerProxy.stop(),
    () => registry.stop(),
    () => metadata.stop(),
  )
  larder = await startLarder({
    readyTimeoutMs: 120_000,
    env: { ...FAULT_SUITE_ENV, LARDER_NPM_UPSTREAM: npmProxy.url, LARDER_COMPOSER_UPSTREAM: composerProxy.url },
  })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  for (const stop of stops) await stop()
})

/** npm's search answer carries the time it was made; everything else must match. */
const withoutTime = (body: Buffer) => ({ ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>), time: undefined })

async function expectPausedPassThrough(proxy: FaultProxy, larderPath: string, upstreamPath: string): Promise<void> {
  const direct = await fetchOutcome(`${proxy.url}${upstreamPath}`)
  if (direct.kind !== 'complete') throw new Error(`the fixture did not answer ${upstreamPath}`)
  proxy.setMode(BACKPRESSURE_MODE, (path) => path === upstreamPath)
  const upstreamEnded = () =>
    waitFor(() => proxy.requests.some((r) => r.path === upstreamPath && r.mode === BACKPRESSURE_MODE && r.sent), {
      timeoutMs: 30_000,
      description: 'the upstream writing its whole answer and closing while the client is paused',
    })
  const read = await readWhilePaused(`${larder.url}${larderPath}`, upstreamEnded)
  expect(read.status).toBe(200)
  expect(withoutTime(read.body())).toEqual(withoutTime(direct.body))
  const health = await fetchOutcome(`${larder.url}/healthz`)
  expect(health.kind === 'complete' && health.status === 200, larder.output().slice(-3000)).toBe(true)
  expect(larder.output()).not.toMatch(/uncaught exception/)
}

describe(`pass-through answers from a ${BACKPRESSURE_MODE} upstream, read by a paused client`, () => {
  it('npm search arrives byte for byte', async () => {
    await expectPausedPassThrough(npmProxy, '/npm/-/v1/search?text=fault-search', '/-/v1/search?text=fault-search')
  })

  it('Composer security advisories arrive byte for byte', async () => {
    const query = '?packages[]=acme/fault-audit'
    await expectPausedPassThrough(composerProxy, `/composer/api/security-advisories/${query}`, `/api/security-advisories/${query}`)
  })
})
