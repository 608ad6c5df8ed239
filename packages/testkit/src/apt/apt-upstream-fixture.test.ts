import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAptSandbox, describeAptRun, type AptSandbox } from './apt-sandbox.js'
import { buildDeb, type BuiltDeb } from './deb-build.js'
import { startAptUpstreamFixture, type AptUpstreamFixture } from './apt-upstream-fixture.js'

let base: BuiltDeb
let top: BuiltDeb
let fixture: AptUpstreamFixture
const sandboxes: AptSandbox[] = []

beforeAll(async () => {
  base = await buildDeb({ name: 'fixture-base', version: '1.0' })
  top = await buildDeb({ name: 'fixture-top', version: '1.0', depends: 'fixture-base (>= 1.0)' })
  fixture = await startAptUpstreamFixture({ debs: [base, top] })
}, 120_000)

afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.cleanup()))
  await fixture?.stop()
})

async function sandbox(): Promise<AptSandbox> {
  const created = await createAptSandbox([{ url: fixture.url, suite: 'stable', signedBy: fixture.key.keyringPath }])
  sandboxes.push(created)
  return created
}

describe('apt upstream fixture', () => {
  it('is a signed by-hash archive that real apt-get updates from and resolves dependencies in', async () => {
    const inRelease = (await fixture.archive.read('dists/stable/InRelease')).toString()
    expect(inRelease).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/)
    expect(inRelease).toContain('Acquire-By-Hash: yes')
    const client = await sandbox()
    const update = await client.update()
    expect(update.code, describeAptRun(update)).toBe(0)
    expect(fixture.hitCount((p) => p.includes('/by-hash/'))).toBeGreaterThan(0)
    const install = await client.downloadWithDependencies(['fixture-top'])
    expect(install.code, describeAptRun(install)).toBe(0)
    expect(await client.downloaded()).toEqual([base.filename, top.filename])
  }, 240_000)

  it('publishes a new generation whose Release lists the new Packages, keeping the old by-hash objects', async () => {
    const before = (await fixture.archive.read('dists/stable/Release')).toString()
    const next = await buildDeb({ name: 'fixture-base', version: '1.1' })
    await fixture.publish([next])
    const after = (await fixture.archive.read('dists/stable/Release')).toString()
    expect(after).not.toEqual(before)
    const oldSha = /^ ([0-9a-f]{64}) +\d+ main\/binary-amd64\/Packages\.xz$/m.exec(before)![1]!
    const res = await fetch(`${fixture.url}/dists/stable/main/binary-amd64/by-hash/SHA256/${oldSha}`)
    expect(res.status).toBe(200)
    const client = await sandbox()
    expect((await client.update()).code).toBe(0)
    const install = await client.downloadWithDependencies(['fixture-base'])
    expect(install.code, describeAptRun(install)).toBe(0)
    expect(await client.downloaded()).toEqual([next.filename])
  }, 240_000)
})
