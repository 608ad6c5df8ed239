/** A generation whose upstream signature does not check against the archive's keyring is never served: the previous one stays, with the reason logged. */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildDeb, createGpgKey, type GpgKey } from '@larder/testkit'
import { sha256Table, startAptAppHarness, type AptAppHarness } from './apt-app.harness.js'

const SUITE = '/apt/fixture/dists/stable'
let forger: GpgKey
let h: AptAppHarness
let detached: AptAppHarness

beforeAll(async () => {
  forger = await createGpgKey('Forger <forger@larder.invalid>')
  h = await startAptAppHarness([await buildDeb({ name: 'signed', version: '1.0' })])
  detached = await startAptAppHarness([], {}, { withoutInRelease: true })
}, 180_000)

afterAll(async () => {
  await h?.close()
  await detached?.close()
  await forger?.cleanup()
})

/** The warnings the app logged while `action` ran. */
async function warnings(harness: AptAppHarness, action: () => Promise<void>): Promise<string[]> {
  const warn = vi.spyOn(harness.services.logger, 'warn')
  try {
    await action()
    return warn.mock.calls.map((call) => JSON.stringify(call))
  } finally {
    warn.mockRestore()
  }
}

describe('upstream Release signatures', () => {
  it('keeps serving the previous generation when a new one is signed by a key not in the keyring, and logs why', async () => {
    const first = await h.bytes(`${SUITE}/InRelease`)
    expect(first.status).toBe(200)
    const firstXz = sha256Table(first.body.toString())['main/binary-amd64/Packages.xz']!
    await h.request(`${SUITE}/main/binary-amd64/Packages.xz`)
    await h.upstream.publish([await buildDeb({ name: 'signed', version: '6.6.6' })], { signedBy: forger })
    let held: Awaited<ReturnType<AptAppHarness['bytes']>> | undefined
    const logged = await warnings(h, async () => void (held = await h.bytes(`${SUITE}/InRelease`)))
    expect(held!.body.equals(first.body)).toBe(true)
    expect(held!.headers.get('x-larder-stale')).toBe('E_INTEGRITY')
    expect(logged.join('\n')).toMatch(
      /"code":"E_INTEGRITY","reason":"fixture stable\/InRelease has no good signature by a key of .*Could not find signing key.*upstream Release refused/,
    )
    const xz = await h.bytes(`${SUITE}/main/binary-amd64/Packages.xz`)
    expect(xz.headers.get('x-larder-cache')).toBe('HIT')
    expect((await h.bytes(`${SUITE}/Release`)).body.toString()).toContain(firstXz.sha256)
  })

  it('refuses a tampered InRelease, then takes the generation once upstream signs it with the right key', async () => {
    const before = (await h.bytes(`${SUITE}/InRelease`)).body
    await h.upstream.publish([await buildDeb({ name: 'signed', version: '1.1' })])
    const path = join(h.upstream.archive.root, 'dists/stable/InRelease')
    const good = await readFile(path)
    const listed = sha256Table(good.toString())['main/binary-amd64/Packages.xz']!.sha256
    await writeFile(path, good.toString().replace(listed, 'f'.repeat(64)))
    const tampered = await h.bytes(`${SUITE}/InRelease`)
    expect(tampered.body.equals(before)).toBe(true)
    expect(tampered.headers.get('x-larder-stale')).toBe('E_INTEGRITY')
    await writeFile(path, good)
    const switched = await h.bytes(`${SUITE}/InRelease`)
    expect(switched.body.equals(good)).toBe(true)
    expect(switched.headers.get('x-larder-stale')).toBeNull()
  })

  it('serves a good InRelease without the Release pair when only Release.gpg does not check', async () => {
    await h.upstream.publish([await buildDeb({ name: 'signed', version: '1.2' })])
    const root = h.upstream.archive.root
    await forger.detachSign(join(root, 'dists/stable/Release'), join(root, 'dists/stable/Release.gpg'))
    const served = await h.bytes(`${SUITE}/InRelease`)
    expect(served.body.equals(await h.upstream.archive.read('dists/stable/InRelease'))).toBe(true)
    expect((await h.request(`${SUITE}/Release.gpg`)).status).toBe(404)
  })
})

describe('upstream Release signatures, Release + Release.gpg only', () => {
  const DETACHED = '/apt/fixture/dists/stable'

  it('answers 502 E_INTEGRITY while no generation was ever signed right, then serves the first good one', async () => {
    await detached.upstream.publish([], { signedBy: forger })
    const refused = await detached.request(`${DETACHED}/Release`)
    expect(refused.status).toBe(502)
    expect(((await refused.json()) as { code: string }).code).toBe('E_INTEGRITY')
    await detached.upstream.publish([await buildDeb({ name: 'detached', version: '1.0' })])
    const release = await detached.bytes(`${DETACHED}/Release`)
    expect(release.status).toBe(200)
    expect(release.body.equals(await detached.upstream.archive.read('dists/stable/Release'))).toBe(true)
  })

  it('keeps the previous Release and Release.gpg when the new Release.gpg is by another key', async () => {
    const before = await detached.bytes(`${DETACHED}/Release`)
    const beforeGpg = await detached.bytes(`${DETACHED}/Release.gpg`)
    await detached.upstream.publish([await buildDeb({ name: 'detached', version: '2.0' })], { signedBy: forger })
    const held = await detached.bytes(`${DETACHED}/Release`)
    expect(held.body.equals(before.body)).toBe(true)
    expect(held.headers.get('x-larder-stale')).toBe('E_INTEGRITY')
    expect((await detached.bytes(`${DETACHED}/Release.gpg`)).body.equals(beforeGpg.body)).toBe(true)
  })
})
