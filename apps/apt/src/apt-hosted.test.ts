import { createHash } from 'node:crypto'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDeb, makeTempDir, run, type BuiltDeb, type TempDir } from '@larder/testkit'
import { TEST_TOKEN, sha256Table, startAptAppHarness, type AptAppHarness } from './apt-app.harness.js'

const SUITE = '/apt/larder/dists/stable'
const auth = { authorization: `Bearer ${TEST_TOKEN}` }
let own: BuiltDeb
let h: AptAppHarness
let work: TempDir

beforeAll(async () => {
  own = await buildDeb({ name: 'team-tool', version: '2.0', architecture: 'amd64', compression: 'gzip' })
  h = await startAptAppHarness([], { LARDER_MAX_UPLOAD_MB: '1' })
  work = await makeTempDir('larder-apt-hosted-')
}, 120_000)

afterAll(async () => {
  await h?.close()
  await work?.cleanup()
})

const upload = (body: Buffer, headers: Record<string, string> = auth, name = 'x.deb') =>
  h.request(`/apt/larder/upload/${name}`, { method: 'PUT', headers, body })

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const body = (await res.json()) as { code: string; error: string }
  expect(res.status, body.error).toBe(status)
  expect(body.code).toBe(code)
  return body.error
}

/** gpgv with the keyring Larder serves: the check apt makes. */
async function gpgv(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const keyring = join(work.path, 'larder.gpg')
  await writeFile(keyring, (await h.bytes('/apt/larder/larder-archive-keyring.gpg')).body)
  return run('gpgv', ['--keyring', keyring, ...args])
}

describe('hosted APT repository', () => {
  it('makes its signing key on first start, private key file mode 0600, and serves the public key binary and armored', async () => {
    const binary = await h.bytes('/apt/larder/larder-archive-keyring.gpg')
    expect(binary.status).toBe(200)
    expect(binary.body[0]! & 0x80).toBe(0x80)
    const armored = await h.bytes('/apt/larder/larder-archive-keyring.asc')
    expect(armored.body.toString()).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/)
    expect(armored.headers.get('x-larder-key-fingerprint')).toMatch(/^[0-9A-F]{40}$/)
    const key = await stat(join(h.dataDir, 'apt', 'signing-key.asc'))
    expect(key.mode & 0o777).toBe(0o600)
  })

  it('refuses uploads without a token, with a token of another scope, not-a-.deb bodies, escaping names and oversized bodies', async () => {
    await expectError(await upload(own.bytes, {}), 401, 'E_UNAUTHORIZED')
    await expectError(await upload(own.bytes, { authorization: 'Bearer npm-only-token-1' }), 403, 'E_FORBIDDEN')
    expect(await expectError(await upload(Buffer.from('#!/bin/sh\necho not a deb\n')), 400, 'E_BAD_REQUEST')).toMatch(/not a valid \.deb/)
    const tarOnly = Buffer.concat([Buffer.from('!<arch>\n'), Buffer.from('debian-binary/  0           0     0     100644  4         `\n2.0\n')])
    expect(await expectError(await upload(tarOnly), 400, 'E_BAD_REQUEST')).toMatch(/control\.tar/)
    await expectError(await upload(own.bytes, auth, '..%2F..%2Fetc%2Fpasswd.deb'), 400, 'E_INVALID_NAME')
    await expectError(await upload(Buffer.alloc(1024 * 1024 + 10, 1)), 413, 'E_TOO_LARGE')
  })

  it('refuses a .deb whose control file names a package that would escape the pool', async () => {
    const root = join(work.path, 'evil')
    await run('mkdir', ['-p', join(root, 'DEBIAN')])
    await writeFile(join(root, 'DEBIAN/control'), 'Package: ../../evil\nVersion: 1.0\nArchitecture: all\nMaintainer: x <x@x>\nDescription: evil\n')
    const built = await run('dpkg-deb', ['--nocheck', '--build', root, join(work.path, 'evil.deb')])
    expect(built.code, built.stderr).toBe(0)
    const { readFile } = await import('node:fs/promises')
    await expectError(await upload(await readFile(join(work.path, 'evil.deb'))), 400, 'E_INVALID_NAME')
  })

  it('publishes an uploaded .deb in Packages, Release and a signed InRelease and Release.gpg', async () => {
    const res = await upload(own.bytes, auth, own.filename)
    expect(res.status).toBe(201)
    const created = (await res.json()) as { filename: string; sha256: string }
    expect(created.filename).toBe(`pool/main/t/team-tool/${own.filename}`)
    expect(created.sha256).toBe(own.sha256)

    const release = (await h.bytes(`${SUITE}/Release`)).body
    expect(release.toString()).toMatch(/^Date: .+ UTC$/m)
    const listed = sha256Table(release.toString())
    const packages = await h.bytes(`${SUITE}/main/binary-amd64/Packages`)
    expect(createHash('sha256').update(packages.body).digest('hex')).toBe(listed['main/binary-amd64/Packages']!.sha256)
    expect(packages.body.toString()).toContain(`Filename: ${created.filename}\n`)
    expect(packages.body.toString()).toContain(`SHA256: ${own.sha256}\n`)
    const byHash = await h.bytes(`${SUITE}/main/binary-amd64/by-hash/SHA256/${listed['main/binary-amd64/Packages.gz']!.sha256}`)
    expect(byHash.status).toBe(200)
    expect((await h.bytes(`${SUITE}/main/binary-arm64/Packages`)).body.toString()).toBe('')

    await writeFile(join(work.path, 'InRelease'), (await h.bytes(`${SUITE}/InRelease`)).body)
    await writeFile(join(work.path, 'Release'), release)
    await writeFile(join(work.path, 'Release.gpg'), (await h.bytes(`${SUITE}/Release.gpg`)).body)
    const clear = await gpgv([join(work.path, 'InRelease')])
    expect(clear.code, clear.stderr).toBe(0)
    const detached = await gpgv([join(work.path, 'Release.gpg'), join(work.path, 'Release')])
    expect(detached.code, detached.stderr).toBe(0)

    const pool = await h.bytes(`/apt/larder/${created.filename}`)
    expect(pool.body.equals(own.bytes)).toBe(true)
    expect(pool.headers.get('etag')).toBe(`"${own.sha256}"`)
    // apt resumes a partial download with If-Range: the Last-Modified it saw.
    const rest = await h.bytes(`/apt/larder/${created.filename}`, { headers: { range: 'bytes=10-', 'if-range': pool.headers.get('last-modified')! } })
    expect(rest.status).toBe(206)
    expect(rest.body.equals(own.bytes.subarray(10))).toBe(true)
  })

  it('a suite write that fails takes back only what it added: by-hash files the current suite lists stay served', async () => {
    const release = (await h.bytes(`${SUITE}/Release`)).body.toString()
    // arm64 has no package, so its Packages (and by-hash object) is the same before and after an amd64 upload.
    const unchanged = sha256Table(release)['main/binary-arm64/Packages']!.sha256
    const store = h.services.store
    const putEntry = store.putEntry
    store.putEntry = async (entry) => {
      if (entry.key.includes(':suite:')) throw new Error('disk full')
      return putEntry.call(store, entry)
    }
    try {
      const another = await buildDeb({ name: 'team-other', version: '1.0', architecture: 'amd64' })
      expect((await upload(another.bytes, auth, another.filename)).status).toBe(500)
    } finally {
      store.putEntry = putEntry
    }
    expect((await h.bytes(`${SUITE}/Release`)).body.toString()).toBe(release)
    expect((await h.bytes(`${SUITE}/main/binary-arm64/by-hash/SHA256/${unchanged}`)).status).toBe(200)
    expect((await h.bytes(`${SUITE}/main/binary-amd64/Packages`)).body.toString()).not.toContain('team-other')
  })

  it('takes the same file twice, refuses other bytes under the same version with 409', async () => {
    expect((await upload(own.bytes)).status).toBe(200)
    const other = await buildDeb({ name: 'team-tool', version: '2.0', architecture: 'amd64', description: 'rebuilt' })
    await expectError(await upload(other.bytes), 409, 'E_CONFLICT')
  })
})
