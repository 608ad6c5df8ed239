/** Upstreams whose TLS handshake never finishes: every mirror's index, and a Composer dist host, end in a clear error while Larder keeps serving. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildComposerPackage,
  composerVersionEntry,
  startComposerMetadataFixture,
  startStalledTlsServer,
  waitFor,
  type ComposerMetadataFixture,
  type StalledTlsServer,
} from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { expectCleanFailure } from './fault-suite.js'
import { FAULT_SUITE_ENV } from './fault-target.js'
import { describeOutcome, errorBody, fetchOutcome } from './larder-fetch.js'
import { misnamedBlobs } from './store-blobs.js'

const MIRRORS = ['npm', 'pypi', 'composer', 'gems', 'apt'] as const
/** The connect timeout (LARDER_UPSTREAM_TIMEOUT_SECONDS) is 2 s; anything near 10 s means the stall was not cut. */
const ANSWER_WITHIN_MS = 10_000
const INDEX_PATHS: Record<(typeof MIRRORS)[number], string> = {
  npm: '/npm/fault-tls',
  pypi: '/pypi/simple/fault-tls/',
  composer: '/composer/p2/acme/fault-tls.json',
  gems: '/gems/info/fault-tls',
  apt: '/apt/stalled/dists/stable/InRelease',
}

const stalled = new Map<string, StalledTlsServer>()
const dist = buildComposerPackage({ name: 'acme/fault-tls', version: '1.0.0' })
let metadata: ComposerMetadataFixture
let indexLarder: LarderServer
let distLarder: LarderServer

beforeAll(async () => {
  for (const name of [...MIRRORS, 'dists']) stalled.set(name, await startStalledTlsServer())
  const url = (name: string) => stalled.get(name)!.url
  indexLarder = await startLarder({
    readyTimeoutMs: 120_000,
    env: {
      ...FAULT_SUITE_ENV,
      LARDER_NPM_UPSTREAM: url('npm'),
      LARDER_PYPI_UPSTREAM: `${url('pypi')}/simple`,
      LARDER_COMPOSER_UPSTREAM: url('composer'),
      LARDER_GEMS_UPSTREAM: url('gems'),
      LARDER_APT_UPSTREAMS: `stalled=${url('apt')}`,
      // The stalled upstream never sends an InRelease to check; without a keyring the app would refuse to start.
      LARDER_APT_INSECURE_NO_VERIFY: 'stalled',
    },
  })
  // Composer metadata is healthy; the dist host named in it is the stalled one.
  metadata = await startComposerMetadataFixture({
    versions: [composerVersionEntry(dist, { distUrl: `${url('dists')}/zipball/acme/fault-tls/${dist.reference}` })],
  })
  distLarder = await startLarder({ readyTimeoutMs: 120_000, env: { ...FAULT_SUITE_ENV, LARDER_COMPOSER_UPSTREAM: metadata.url } })
}, 300_000)

afterAll(async () => {
  await indexLarder?.stop()
  await distLarder?.stop()
  await metadata?.stop()
  await Promise.all([...stalled.values()].map((server) => server.stop()))
})

async function expectStillServing(larder: LarderServer): Promise<void> {
  const health = await fetchOutcome(`${larder.url}/healthz`)
  expect(health.kind === 'complete' && health.status === 200, `/healthz: ${describeOutcome(health)}`).toBe(true)
  expect(await misnamedBlobs(larder.dataDir)).toEqual([])
  expect(larder.output()).not.toMatch(/uncaught exception/)
}

describe('an upstream whose TLS handshake never finishes', () => {
  it('every mirror answers its index with a clear 5xx within the connect timeout, and lets go of the stalled connection', async () => {
    const begun = Date.now()
    const outcomes = await Promise.all(MIRRORS.map((mirror) => fetchOutcome(`${indexLarder.url}${INDEX_PATHS[mirror]}`, ANSWER_WITHIN_MS * 2)))
    MIRRORS.forEach((mirror, i) => {
      const outcome = outcomes[i]!
      expect(outcome.kind === 'complete' && outcome.status >= 500 && errorBody(outcome) !== undefined, `${mirror}: ${describeOutcome(outcome)}`).toBe(true)
      expect(errorBody(outcome)!.code, mirror).toMatch(/^E_UPSTREAM_(TIMEOUT|UNREACHABLE)$/)
      expect(stalled.get(mirror)!.bytesReceived(), `${mirror} sent a ClientHello`).toBeGreaterThan(0)
    })
    expect(Date.now() - begun).toBeLessThan(ANSWER_WITHIN_MS)
    await waitFor(() => MIRRORS.every((mirror) => stalled.get(mirror)!.openConnections() === 0), {
      timeoutMs: ANSWER_WITHIN_MS,
      description: 'Larder closing every stalled TLS connection',
    })
    await expectStillServing(indexLarder)
    const again = await fetchOutcome(`${indexLarder.url}${INDEX_PATHS.npm}`, ANSWER_WITHIN_MS * 2)
    expectCleanFailure(again, 'a second request')
  })

  it('a Composer dist on a stalled host fails clearly, nothing is stored, and the metadata is still served', async () => {
    const p2 = await fetchOutcome(`${distLarder.url}/composer/p2/acme/fault-tls.json`)
    expect(p2.kind === 'complete' && p2.status === 200, describeOutcome(p2)).toBe(true)
    const path = `/composer/dists/acme/fault-tls/${dist.versionNormalized}/${dist.reference}.zip`
    const begun = Date.now()
    const outcome = await fetchOutcome(`${distLarder.url}${path}`, ANSWER_WITHIN_MS * 2)
    expectCleanFailure(outcome, `dist ${describeOutcome(outcome)}`)
    expect(Date.now() - begun).toBeLessThan(ANSWER_WITHIN_MS)
    expect(stalled.get('dists')!.hitCount()).toBeGreaterThan(0)
    await expectStillServing(distLarder)
    const again = await fetchOutcome(`${distLarder.url}/composer/p2/acme/fault-tls.json`)
    expect(again.kind === 'complete' && again.status === 200, describeOutcome(again)).toBe(true)
  })
})
