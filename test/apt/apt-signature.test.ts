/** Upstream Release signatures are checked against the configured keyring: a forged or tampered generation is never served and apt-get keeps installing from the previous one. */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aptKeyringsEnv,
  buildDeb,
  createAptSandbox,
  createGpgKey,
  describeAptRun,
  makeTempDir,
  run,
  startAptUpstreamFixture,
  type AptSandbox,
  type AptUpstreamFixture,
  type BuiltDeb,
  type GpgKey,
  type TempDir,
} from '@larder/testkit'
import { APT_ENTRY, REPO_ROOT, startAptLarder, type AptLarder } from './apt-larder.js'

let first: BuiltDeb
let forger: GpgKey
let fixture: AptUpstreamFixture
let data: TempDir
let larder: AptLarder
const sandboxes: AptSandbox[] = []

beforeAll(async () => {
  first = await buildDeb({ name: 'e2e-signed', version: '1.0' })
  forger = await createGpgKey('Forger <forger@larder.invalid>')
  fixture = await startAptUpstreamFixture({ debs: [first] })
  data = await makeTempDir('larder-e2e-apt-signature-')
  // TTL 0: every apt-get update makes Larder ask upstream, so each forged generation is really tried.
  larder = await startAptLarder(data.path, {
    LARDER_APT_UPSTREAMS: `fixture=${fixture.url}`,
    ...aptKeyringsEnv({ fixture: fixture.key }),
    LARDER_INDEX_TTL_SECONDS: '0',
  })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await Promise.all(sandboxes.map((s) => s.cleanup()))
  await fixture?.stop()
  await forger?.cleanup()
  await data?.cleanup()
})

/** A fresh client (empty lists) updates and downloads e2e-signed; returns the .deb file names it got. */
async function installWithFreshClient(): Promise<string[]> {
  const apt = await createAptSandbox([{ url: `${larder.apt}/fixture`, suite: 'stable', signedBy: fixture.key.keyringPath }])
  sandboxes.push(apt)
  const update = await apt.update()
  expect(update.code, `${describeAptRun(update)}\n${larder.output()}`).toBe(0)
  expect(`${update.stdout}${update.stderr}`).not.toMatch(/NO_PUBKEY|BADSIG|not signed|Hash Sum mismatch|W: |E: /)
  const install = await apt.downloadWithDependencies(['e2e-signed'])
  expect(install.code, `${describeAptRun(install)}\n${larder.output()}`).toBe(0)
  return apt.downloaded()
}

const refusals = async () =>
  (await larder.logs()).filter((line) => line.msg === 'upstream Release refused: its signature does not check' && line.code === 'E_INTEGRITY')

describe('upstream signatures through apt-get', () => {
  it('installs from a generation signed with the configured key', async () => {
    expect(await installWithFreshClient()).toEqual([first.filename])
  })

  it('keeps installing from the previous generation while upstream serves one signed by another key', async () => {
    // Below the next good one (2.0): the fixture archive keeps every deb it was given, this one too.
    const forged = await buildDeb({ name: 'e2e-signed', version: '1.9' })
    await fixture.publish([forged], { signedBy: forger })
    expect(await installWithFreshClient()).toEqual([first.filename])
    expect(fixture.hitCount(`/${fixture.archive.poolPath(forged)}`)).toBe(0)
    expect((await larder.requests()).some((r) => r.path.endsWith('/InRelease') && r.cache === 'STALE')).toBe(true)
    expect(String((await refusals()).at(-1)?.reason)).toMatch(/fixture stable\/InRelease has no good signature by a key of .*Could not find signing key/)
  })

  it('keeps installing from the previous generation while the upstream InRelease is tampered with, and moves on once it is signed right', async () => {
    const next = await buildDeb({ name: 'e2e-signed', version: '2.0' })
    await fixture.publish([next])
    const path = join(fixture.archive.root, 'dists/stable/InRelease')
    const good = await readFile(path)
    // One more package line in the signed text: what a mirror that injects a package would serve.
    await writeFile(
      path,
      good.toString().replace('\nSHA256:\n', '\nSHA256:\n 0000000000000000000000000000000000000000000000000000000000000000 1 main/binary-amd64/Packages.bz2\n'),
    )
    const before = (await refusals()).length
    expect(await installWithFreshClient()).toEqual([first.filename])
    expect((await refusals()).length).toBeGreaterThan(before)
    expect(String((await refusals()).at(-1)?.reason)).toMatch(/Signed digest did not match/)
    await writeFile(path, good)
    expect(await installWithFreshClient()).toEqual([next.filename])
  })
})

describe('start-up without a keyring', () => {
  it('refuses to start with an archive that has no keyring, naming LARDER_APT_KEYRINGS', async () => {
    const dir = await makeTempDir('larder-e2e-apt-nokeyring-')
    try {
      const result = await run(process.execPath, [APT_ENTRY], {
        cwd: REPO_ROOT,
        timeoutMs: 60_000,
        env: {
          LARDER_DATA_DIR: dir.path,
          PORT: '0',
          LARDER_APT_UPSTREAMS: 'vendor=http://127.0.0.1:9/apt',
          LARDER_APT_KEYRINGS: undefined,
          LARDER_APT_INSECURE_NO_VERIFY: undefined,
        },
      })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(
        'larder: cannot start: no keyring to check the Release signatures of the APT archive vendor: set LARDER_APT_KEYRINGS=vendor=/path/to/vendor-archive-keyring.gpg',
      )
      expect(result.stderr).toContain('LARDER_APT_INSECURE_NO_VERIFY=vendor')
    } finally {
      await dir.cleanup()
    }
  })
})
