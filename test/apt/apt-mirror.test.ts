/** apt-get update and install through Larder's APT mirror with signatures checked: online, across upstream generations, upstream down, and offline. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aptKeyringsEnv,
  buildDeb,
  createAptSandbox,
  describeAptRun,
  makeTempDir,
  startAptUpstreamFixture,
  waitFor,
  type AptSandbox,
  type AptUpstreamFixture,
  type BuiltDeb,
  type TempDir,
} from '@larder/testkit'
import { startAptLarder, type AptLarder } from './apt-larder.js'

let base: BuiltDeb
let top: BuiltDeb
let fixture: AptUpstreamFixture
let data: TempDir
let larder: AptLarder
const sandboxes: AptSandbox[] = []

async function client(): Promise<AptSandbox> {
  const created = await createAptSandbox([{ url: `${larder.apt}/fixture`, suite: 'stable', signedBy: fixture.key.keyringPath }])
  sandboxes.push(created)
  return created
}

async function startLarder(extra: Record<string, string> = {}): Promise<AptLarder> {
  // TTL 0: every InRelease request asks upstream, so generations change as soon as upstream's does.
  return startAptLarder(data.path, {
    LARDER_APT_UPSTREAMS: `fixture=${fixture.url}`,
    ...aptKeyringsEnv({ fixture: fixture.key }),
    LARDER_INDEX_TTL_SECONDS: '0',
    ...extra,
  })
}

async function expectUpdateAndDownload(apt: AptSandbox, packages: string[], files: string[]): Promise<void> {
  const update = await apt.update()
  expect(update.code, `${describeAptRun(update)}\n${larder.output()}`).toBe(0)
  expect(`${update.stdout}${update.stderr}`).not.toMatch(/Hash Sum mismatch|NO_PUBKEY|not signed|W: |E: /)
  const install = await apt.downloadWithDependencies(packages)
  expect(install.code, `${describeAptRun(install)}\n${larder.output()}`).toBe(0)
  expect(await apt.downloaded()).toEqual(files)
}

beforeAll(async () => {
  base = await buildDeb({ name: 'e2e-base', version: '1.0' })
  top = await buildDeb({ name: 'e2e-top', version: '1.0', depends: 'e2e-base (>= 1.0)' })
  fixture = await startAptUpstreamFixture({ debs: [base, top] })
  data = await makeTempDir('larder-e2e-apt-data-')
  larder = await startLarder()
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await Promise.all(sandboxes.map((s) => s.cleanup()))
  await fixture?.stop()
  await data?.cleanup()
})

describe('apt-get through the Larder APT mirror', () => {
  it('updates with the archive key (signed-by) and downloads a package with its dependency, each pool file fetched once', async () => {
    await expectUpdateAndDownload(await client(), ['e2e-top'], [base.filename, top.filename])
    await expectUpdateAndDownload(await client(), ['e2e-top'], [base.filename, top.filename])
    expect(fixture.hitCount(`/${fixture.archive.poolPath(top)}`)).toBe(1)
    expect(fixture.hitCount(`/${fixture.archive.poolPath(base)}`)).toBe(1)
  })

  it('keeps every client consistent while upstream publishes new generations under them (no Hash Sum mismatch)', async () => {
    const clients = await Promise.all([client(), client(), client()])
    const runs = clients.map(async (apt) => {
      const results = []
      for (let i = 0; i < 4; i++) results.push(await apt.update())
      return results
    })
    const inReleaseHits = () => fixture.hitCount('/dists/stable/InRelease')
    const start = inReleaseHits()
    const newer: BuiltDeb[] = []
    for (const version of ['1.1', '1.2']) {
      // Publish while the clients are mid-loop: after Larder has asked upstream again.
      const seen = inReleaseHits()
      await waitFor(() => inReleaseHits() > seen, { timeoutMs: 120_000, description: 'a client update reaching upstream' })
      const deb = await buildDeb({ name: 'e2e-base', version })
      await fixture.publish([deb])
      newer.push(deb)
    }
    for (const results of await Promise.all(runs)) {
      for (const result of results) {
        expect(result.code, `${describeAptRun(result)}\n${larder.output()}`).toBe(0)
        expect(`${result.stdout}${result.stderr}`).not.toMatch(/Hash Sum mismatch|File has unexpected size|W: |E: /)
      }
    }
    expect(inReleaseHits()).toBeGreaterThan(start + 2)
    await expectUpdateAndDownload(await client(), ['e2e-base'], [newer[1]!.filename])
  })

  it('serves the last complete generation when the upstream is down: update and install with empty lists and archives', async () => {
    await fixture.setFault('refuse')
    try {
      await expectUpdateAndDownload(await client(), ['e2e-top'], ['e2e-base_1.2_all.deb', top.filename])
      expect((await larder.requests()).some((r) => r.path.endsWith('/InRelease') && r.cache === 'STALE')).toBe(true)
    } finally {
      await fixture.setFault(null)
    }
  })

  it('with LARDER_OFFLINE=1 never contacts upstream and still serves update and install', async () => {
    await larder.stop()
    larder = await startLarder({ LARDER_OFFLINE: '1' })
    fixture.resetHits()
    await expectUpdateAndDownload(await client(), ['e2e-top'], ['e2e-base_1.2_all.deb', top.filename])
    expect(fixture.totalHits()).toBe(0)
    expect((await larder.requests()).filter((r) => r.path.endsWith('/InRelease')).every((r) => r.cache === 'OFFLINE')).toBe(true)
  })
})
