import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDeb } from '@larder/testkit'
import { sha256Table, startAptAppHarness, type AptAppHarness } from './apt-app.harness.js'

const SUITE = '/apt/fixture/dists/stable'
let h: AptAppHarness

beforeAll(async () => {
  h = await startAptAppHarness([await buildDeb({ name: 'old-style', version: '1.0' })], {}, { withoutInRelease: true })
}, 120_000)

afterAll(async () => {
  await h?.close()
})

describe('an archive without InRelease', () => {
  it('answers InRelease with 404 so apt falls back, and serves Release, Release.gpg and the indexes it lists', async () => {
    expect((await h.request(`${SUITE}/InRelease`)).status).toBe(404)
    const release = await h.bytes(`${SUITE}/Release`)
    expect(release.body.equals(await h.upstream.archive.read('dists/stable/Release'))).toBe(true)
    expect((await h.bytes(`${SUITE}/Release.gpg`)).body.equals(await h.upstream.archive.read('dists/stable/Release.gpg'))).toBe(true)
    const listed = sha256Table(release.body.toString())['main/binary-amd64/Packages.gz']!
    const packages = await h.bytes(`${SUITE}/main/binary-amd64/Packages.gz`)
    expect(createHash('sha256').update(packages.body).digest('hex')).toBe(listed.sha256)
  })
})
