/** The fault suite run against each mirror: benign framings, a slow reader on a close-delimited big artifact, and upstreams that break mid-way. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { makeTempDir, waitFor, type FaultProxyMode, type ProcessExit, type TempDir } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import {
  BACKPRESSURE_MODE,
  BENIGN_CASES,
  BREAKING_CASES,
  CONTENT_CASES,
  FAULT_SUITE_ENV,
  servedInMode,
  setTargetMode,
  type CaseFixture,
  type FaultTarget,
} from './fault-target.js'
import { describeOutcome, errorBody, fetchOutcome, readWhilePaused, type FetchOutcome } from './larder-fetch.js'
import { hasBlob, misnamedBlobs } from './store-blobs.js'

/** Modes that break only a body: a HEAD answered in them arrives whole. */
const HEAD_WHOLE_MODES = new Set<FaultProxyMode>(['fin-mid-body', 'rst-mid-body', 'drip'])

/** Long enough for the 20 s deadline to end anything the throughput floor and timeouts let through. */
const GIVE_UP_WITHIN_MS = 25_000

export function describeFaultSuite(mirror: string, setup: () => Promise<FaultTarget>): void {
  let target: FaultTarget
  let data: TempDir
  let larder: LarderServer
  let exit: ProcessExit | undefined
  const at = (path: string) => `${larder.url}${path}`
  const context = () => `\n${larder.output().slice(-4000)}`
  const start = async () => {
    exit = undefined
    // The same port after a crash: documents that name Larder's URL stay byte for byte the same.
    const port = larder?.port ?? 0
    larder = await startLarder({ dataDir: data.path, port, env: { ...FAULT_SUITE_ENV, ...target.env }, readyTimeoutMs: 120_000 })
    const started = larder
    void started.exited.then((result) => started === larder && (exit = result))
  }

  beforeAll(async () => {
    target = await setup()
    data = await makeTempDir(`larder-faults-${mirror}-`)
    await start()
  }, 300_000)

  // A case that crashed the process has failed; the next one gets a new process on the same store.
  beforeEach(async () => {
    if (exit === undefined && (await fetchOutcome(at('/healthz'), 5000)).kind === 'complete') return
    await larder.kill()
    await start()
  }, 120_000)

  afterAll(async () => {
    await larder?.stop()
    await target?.stop()
    await data?.cleanup()
  })

  const expectComplete = (outcome: FetchOutcome, what: string): Extract<FetchOutcome, { kind: 'complete' }> => {
    expect(outcome.kind === 'complete' && outcome.status === 200, `${what}: ${describeOutcome(outcome)}${context()}`).toBe(true)
    return outcome as Extract<FetchOutcome, { kind: 'complete' }>
  }

  /** The index and what a client asks between it and the artifact, all 200. */
  const fetchIndex = async (fixture: CaseFixture, what: string): Promise<Buffer> => {
    const index = expectComplete(await fetchOutcome(at(fixture.indexPath)), `${what} index ${fixture.indexPath}`)
    for (const path of fixture.between ?? []) expectComplete(await fetchOutcome(at(path)), `${what} ${path}`)
    return index.body
  }

  const expectArtifact = async (fixture: CaseFixture, what: string) => {
    const artifact = expectComplete(await fetchOutcome(at(fixture.artifactPath)), `${what} artifact ${fixture.artifactPath}`)
    expect({ size: artifact.body.length, sha256: artifact.sha256 }, what).toEqual({ size: fixture.size, sha256: fixture.sha256 })
  }

  /** Alive, /healthz answers, and another document is served. */
  const expectServing = async () => {
    expect(exit, `the process exited${context()}`).toBeUndefined()
    expectComplete(await fetchOutcome(at('/healthz')), '/healthz')
    await fetchIndex(target.cases.normal, 'a later request')
  }

  /** The index with the upstream answering in `mode`: the cached copy, STALE (or REVALIDATED by a HEAD the mode leaves whole); returns why it was stale. */
  const expectStaleIndex = async (fixture: CaseFixture, mode: FaultProxyMode, cached: Buffer): Promise<string | null> => {
    setTargetMode(target, mode, 'indexes')
    const stale = expectComplete(await fetchOutcome(at(fixture.indexPath)), `${mode} index`)
    expect(
      servedInMode(target, mode, (path) => !target.isArtifactPath(path)),
      'an index answered in this mode',
    ).toBe(true)
    expect(stale.body.equals(cached), `the stale index is the cached one, got ${describeOutcome(stale)}: ${stale.body.toString('utf8').slice(0, 200)}`).toBe(
      true,
    )
    const headStaysWhole = target.revalidatesWithHead === true && HEAD_WHOLE_MODES.has(mode)
    expect(stale.headers.get('x-larder-cache')).toBe(headStaysWhole ? 'REVALIDATED' : 'STALE')
    return stale.headers.get('x-larder-stale')
  }

  /** The artifact with the upstream answering in `mode`: a clean failure, with the fault really met. */
  const expectArtifactRefused = async (fixture: CaseFixture, mode: FaultProxyMode) => {
    setTargetMode(target, mode, 'artifacts')
    expectCleanFailure(await fetchOutcome(at(fixture.artifactPath)), `${mode} artifact${context()}`)
    expect(
      servedInMode(target, mode, (path) => path === fixture.upstreamArtifactPath),
      'the artifact answered in this mode',
    ).toBe(true)
  }

  describe(`${mirror} mirror behind a fault proxy`, () => {
    for (const mode of BENIGN_CASES) {
      it(`${mode}: the index and the artifact arrive byte for byte`, async () => {
        const fixture = target.cases[mode]
        setTargetMode(target, mode)
        await fetchIndex(fixture, mode)
        await expectArtifact(fixture, mode)
        expect(
          servedInMode(target, mode, (path) => !target.isArtifactPath(path)),
          'an index answered in this mode',
        ).toBe(true)
        expect(
          servedInMode(target, mode, (path) => path === fixture.upstreamArtifactPath),
          'the artifact answered in this mode',
        ).toBe(true)
        await expectServing()
      })
    }

    it(`backpressure: a ${BACKPRESSURE_MODE} multi-MB artifact, read by a client paused until the upstream has closed`, async () => {
      const fixture = target.cases.backpressure
      setTargetMode(target, BACKPRESSURE_MODE)
      await fetchIndex(fixture, 'backpressure')
      const upstreamDone = () =>
        waitFor(
          async () =>
            target.proxies.some((p) => p.requests.some((r) => r.path === fixture.upstreamArtifactPath && r.sent && r.closed)) &&
            (await hasBlob(larder.dataDir, fixture.sha256)),
          { timeoutMs: 30_000, description: 'the upstream sending everything and closing, and the artifact stored, while the client is paused' },
        )
      const read = await readWhilePaused(at(fixture.artifactPath), upstreamDone)
      expect(read).toEqual({ status: 200, size: fixture.size, sha256: fixture.sha256 })
      await expectServing()
    })

    for (const mode of BREAKING_CASES) {
      describe(mode, () => {
        const fixture = () => target.cases[mode]
        let cached: Buffer

        it('artifact: a clear error or a cut-off 200, and the process keeps serving', async () => {
          setTargetMode(target, 'normal')
          cached = await fetchIndex(fixture(), 'healthy')
          await expectArtifactRefused(fixture(), mode)
          await expectServing()
        })

        it('index: the cached copy, marked STALE, and the process keeps serving', async () => {
          await expectStaleIndex(fixture(), mode, cached)
          // Healthy again for the later request: each hung refresh counts against the circuit breaker (5 opens it).
          setTargetMode(target, 'normal')
          await expectServing()
        })

        it('healed: broken connections released, nothing broken stored, then the artifact byte for byte', async () => {
          const released = () => target.proxies.every((p) => p.requests.every((r) => r.mode !== mode || r.closed))
          await waitFor(released, { timeoutMs: GIVE_UP_WITHIN_MS, description: `Larder closing every ${mode} upstream connection` })
          setTargetMode(target, 'normal')
          expect(await misnamedBlobs(larder.dataDir), 'blobs whose bytes are not their name').toEqual([])
          expect(await hasBlob(larder.dataDir, fixture().sha256), 'the artifact stored before it was complete').toBe(false)
          expect((await fetchIndex(fixture(), 'healed')).equals(cached), 'the healed index is the cached one').toBe(true)
          await expectArtifact(fixture(), `${mode} healed`)
          expect(await hasBlob(larder.dataDir, fixture().sha256)).toBe(true)
          expect(await misnamedBlobs(larder.dataDir)).toEqual([])
          await expectServing()
        })
      })
    }

    for (const mode of CONTENT_CASES) {
      describe(mode, () => {
        const fixture = () => target.cases[mode]

        it('index: a 200 that is no index leaves the cached copy, STALE as garbage; the artifact is refused and not stored', async () => {
          setTargetMode(target, 'normal')
          const cached = await fetchIndex(fixture(), 'healthy')
          expect(await expectStaleIndex(fixture(), mode, cached)).toBe('E_UPSTREAM_GARBAGE')
          await expectArtifactRefused(fixture(), mode)
          setTargetMode(target, 'normal')
          await expectServing()
        })

        it('healed: the index as upstream has it, and the artifact byte for byte (nothing of the fault was kept)', async () => {
          setTargetMode(target, 'normal')
          expect(await misnamedBlobs(larder.dataDir), 'blobs whose bytes are not their name').toEqual([])
          await fetchIndex(fixture(), 'healed')
          await expectArtifact(fixture(), `${mode} healed`)
          await expectServing()
        })
      })
    }
  })
}

/** A clear error (5xx with Larder's JSON error body) or a 200 whose body then fails; never clean wrong bytes. */
export function expectCleanFailure(outcome: FetchOutcome, what: string): void {
  if (outcome.kind === 'cut-off' && outcome.status === 200) return
  const body = errorBody(outcome)
  const clear = outcome.kind === 'complete' && outcome.status >= 500 && body !== undefined && /^E_[A-Z_]+$/.test(body.code)
  expect(clear, `${what}: expected a 5xx {error, code} or a cut-off 200, got ${describeOutcome(outcome)}`).toBe(true)
}
