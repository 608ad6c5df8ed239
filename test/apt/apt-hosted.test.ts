/** Upload .debs to Larder's hosted APT repository, then apt-get update and install from it with signed-by Larder's own key. */
import { request as httpRequest } from 'node:http'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
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
  type BuiltDeb,
  type TempDir,
} from '@larder/testkit'
import { startAptLarder, type AptLarder } from './apt-larder.js'

const TOKEN = 'e2e-apt-token-1'
let mirrored: BuiltDeb
let own: BuiltDeb
let fixture: AptUpstreamFixture
let data: TempDir
let work: TempDir
let larder: AptLarder
const sandboxes: AptSandbox[] = []

const upload = (bytes: Buffer, headers: Record<string, string>, name = 'pkg.deb') =>
  fetch(`${larder.apt}/larder/upload/${name}`, { method: 'PUT', headers: { 'content-type': 'application/vnd.debian.binary-package', ...headers }, body: bytes })

/** A request with a literal path (fetch would resolve the dot segments before sending). */
function rawPut(path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${larder.url}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.once('error', reject)
    req.end(body)
  })
}

beforeAll(async () => {
  mirrored = await buildDeb({ name: 'e2e-lib', version: '3.0' })
  own = await buildDeb({ name: 'team-app', version: '1.0', architecture: 'amd64', depends: 'e2e-lib (>= 3.0)' })
  fixture = await startAptUpstreamFixture({ debs: [mirrored] })
  data = await makeTempDir('larder-e2e-apt-hosted-')
  work = await makeTempDir('larder-e2e-apt-work-')
  larder = await startAptLarder(data.path, {
    LARDER_APT_UPSTREAMS: `fixture=${fixture.url}`,
    ...aptKeyringsEnv({ fixture: fixture.key }),
    LARDER_TOKENS: `ci=${TOKEN}:apt,other=e2e-npm-token:npm`,
    LARDER_MAX_UPLOAD_MB: '1',
  })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await Promise.all(sandboxes.map((s) => s.cleanup()))
  await fixture?.stop()
  await data?.cleanup()
  await work?.cleanup()
})

describe('the hosted APT repository', () => {
  it('refuses uploads without a token, with the wrong scope, not-a-.deb, escaping names and oversized bodies with clear 4xx', async () => {
    const none = await upload(own.bytes, {})
    expect(none.status).toBe(401)
    expect(((await none.json()) as { code: string }).code).toBe('E_UNAUTHORIZED')
    expect((await upload(own.bytes, { authorization: 'Bearer e2e-npm-token' })).status).toBe(403)
    const notDeb = await upload(Buffer.from('PK\u0003\u0004 a zip, not a deb'), { authorization: `Bearer ${TOKEN}` })
    expect(notDeb.status).toBe(400)
    expect(((await notDeb.json()) as { error: string }).error).toMatch(/not a valid \.deb/)
    expect((await upload(own.bytes, { authorization: `Bearer ${TOKEN}` }, '..%2F..%2Fevil.deb')).status).toBe(400)
    expect(await rawPut('/apt/larder/upload/../../../evil.deb', own.bytes)).toBeGreaterThanOrEqual(400)
    expect(await rawPut('/apt/larder/upload/../../../evil.deb', own.bytes)).toBeLessThan(500)
    const big = await upload(Buffer.alloc(2 * 1024 * 1024, 7), { authorization: `Bearer ${TOKEN}` })
    expect(big.status).toBe(413)
  })

  it("publishes an upload that apt-get installs with signed-by Larder's key, its dependency coming from a mirrored archive", async () => {
    const res = await upload(own.bytes, { authorization: `Bearer ${TOKEN}` }, own.filename)
    expect(res.status, await res.clone().text()).toBe(201)
    const keyring = join(work.path, 'larder-archive-keyring.gpg')
    await writeFile(keyring, Buffer.from(await (await fetch(`${larder.apt}/larder/larder-archive-keyring.gpg`)).arrayBuffer()))
    const apt = await createAptSandbox([
      { url: `${larder.apt}/larder`, suite: 'stable', signedBy: keyring },
      { url: `${larder.apt}/fixture`, suite: 'stable', signedBy: fixture.key.keyringPath },
    ])
    sandboxes.push(apt)
    const update = await apt.update()
    expect(update.code, `${describeAptRun(update)}\n${larder.output()}`).toBe(0)
    expect(`${update.stdout}${update.stderr}`).not.toMatch(/NO_PUBKEY|not signed|W: |E: /)
    const install = await apt.downloadWithDependencies(['team-app'])
    expect(install.code, `${describeAptRun(install)}\n${larder.output()}`).toBe(0)
    expect(await apt.downloaded()).toEqual([mirrored.filename, own.filename])
  })

  it('refuses the hosted repository to a client holding another key', async () => {
    const apt = await createAptSandbox([{ url: `${larder.apt}/larder`, suite: 'stable', signedBy: fixture.key.keyringPath }])
    sandboxes.push(apt)
    const update = await apt.update()
    expect(`${update.stdout}${update.stderr}`).toMatch(/NO_PUBKEY|not signed|signatures couldn't be verified/)
  })
})
