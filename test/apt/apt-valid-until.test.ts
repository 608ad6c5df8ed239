/** An expired Valid-Until (a Release kept while offline for long) is refused by apt; the documented client option gets past it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aptKeyringsEnv,
  buildDeb,
  createAptSandbox,
  describeAptRun,
  makeTempDir,
  startAptUpstreamFixture,
  type AptSandbox,
  type AptUpstreamFixture,
  type TempDir,
} from '@larder/testkit'
import { startAptLarder, type AptLarder } from './apt-larder.js'

let fixture: AptUpstreamFixture
let data: TempDir
let larder: AptLarder
const sandboxes: AptSandbox[] = []

beforeAll(async () => {
  const deb = await buildDeb({ name: 'aged', version: '1.0' })
  fixture = await startAptUpstreamFixture({ debs: [deb], validUntil: new Date(Date.now() - 24 * 3600 * 1000) })
  data = await makeTempDir('larder-e2e-apt-valid-')
  larder = await startAptLarder(data.path, { LARDER_APT_UPSTREAMS: `aged=${fixture.url}`, ...aptKeyringsEnv({ aged: fixture.key }) })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await Promise.all(sandboxes.map((s) => s.cleanup()))
  await fixture?.stop()
  await data?.cleanup()
})

async function sandbox(options: string[]): Promise<AptSandbox> {
  const created = await createAptSandbox([{ url: `${larder.apt}/aged`, suite: 'stable', signedBy: fixture.key.keyringPath, options }])
  sandboxes.push(created)
  return created
}

describe('Valid-Until after a long offline period', () => {
  it('is served unchanged (it is signed); apt refuses it unless the source says check-valid-until=no', async () => {
    const strict = await (await sandbox([])).update()
    expect(`${strict.stdout}${strict.stderr}`, describeAptRun(strict)).toMatch(/expired/)
    const relaxed = await sandbox(['check-valid-until=no'])
    const update = await relaxed.update()
    expect(update.code, describeAptRun(update)).toBe(0)
    expect(`${update.stdout}${update.stderr}`).not.toMatch(/expired/)
    const install = await relaxed.downloadWithDependencies(['aged'])
    expect(install.code, describeAptRun(install)).toBe(0)
  })
})
