import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
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

  it('keeps serving the previous Release when upstream answers with something that is not one (a captive portal page)', async () => {
    const before = await h.bytes(`${SUITE}/Release`)
    await writeFile(join(h.upstream.archive.root, 'dists/stable/Release'), '<html>\n<body>Please log in</body>\n</html>\n')
    const held = await h.bytes(`${SUITE}/Release`)
    expect(held.status).toBe(200)
    expect(held.body.equals(before.body)).toBe(true)
    expect(held.headers.get('x-larder-stale')).toBe('E_UPSTREAM_GARBAGE')
    expect((await h.bytes(`${SUITE}/Release.gpg`)).status).toBe(200)
  })
})
