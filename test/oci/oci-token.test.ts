/** Pulls through Larder from Docker's real registry in `auth: token` mode: the Bearer dance against a testkit issuer, with and without the upstream login. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startRegistryFixture, startTokenIssuer, type OciLayout, type RegistryFixture, type TempDir, type TokenIssuer } from '@larder/testkit'
import { UPSTREAM, buildAndPush, failedPull, pullThrough, startOciLarder, type OciLarder } from './oci-larder.js'

const LOGIN = { user: 'ci-bot', password: 'fixture-secret-4711' }

let work: TempDir
let issuer: TokenIssuer
let registry: RegistryFixture
let larder: OciLarder
let single: OciLayout
let multi: OciLayout
let outs = 0
const out = () => join(work.path, `out-${++outs}`)

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-oci-token-')
  // Like a private registry: no token grants anything without the login.
  issuer = await startTokenIssuer({ dir: work.path, users: { [LOGIN.user]: LOGIN.password }, anonymousPull: false })
  registry = await startRegistryFixture({ tokenIssuer: issuer })
  const creds = `${LOGIN.user}:${LOGIN.password}`
  single = await buildAndPush(registry, work.path, 'private/app', 'v1', [{}], creds)
  multi = await buildAndPush(
    registry,
    work.path,
    'private/multi',
    'v1',
    [{ platform: { os: 'linux', architecture: 'amd64' } }, { platform: { os: 'linux', architecture: 'arm64' } }],
    creds,
  )
  larder = await startOciLarder(registry, { env: { LARDER_OCI_CREDENTIALS: `${UPSTREAM}=${creds}` } })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await registry?.cleanup()
  await issuer?.stop()
  await work?.cleanup()
})

describe('a token-auth upstream registry', () => {
  it('pulls by tag, by digest and each platform with the login, one token per repository', async () => {
    const before = issuer.requests.length
    expect(await pullThrough(larder, `${UPSTREAM}/private/app:v1`, out())).toBe(single.top.digest)
    expect(await pullThrough(larder, `${UPSTREAM}/private/app@${single.top.digest}`, out())).toBe(single.top.digest)
    for (const [i, arch] of ['amd64', 'arm64'].entries()) {
      expect(await pullThrough(larder, `${UPSTREAM}/private/multi:v1`, out(), { arch })).toBe(multi.images[i]!.manifest.digest)
    }
    const asked = issuer.requests.slice(before)
    // Every token request carried the login; the tokens were kept, so each repository needed one.
    expect(asked.every((request) => request.authorized && request.account === LOGIN.user)).toBe(true)
    expect(asked.map((request) => request.scopes.join(' ')).sort()).toEqual(['repository:private/app:pull', 'repository:private/multi:pull'])
    expect(larder.output()).not.toContain(LOGIN.password)
  })

  it('without the login says what to set, and logs no secret', async () => {
    const anonymous = await startOciLarder(registry)
    try {
      const message = await failedPull(anonymous, `${UPSTREAM}/private/app:v1`, out())
      expect(message).toMatch(/denied: upstream fixture refused access to private\/app/)
      expect(message).toContain('LARDER_OCI_CREDENTIALS')
    } finally {
      await anonymous.stop()
    }
  })

  it('pulls anonymously when the token endpoint grants pulls without a login (Docker Hub public images)', async () => {
    issuer.anonymousPull = true
    const anonymous = await startOciLarder(registry)
    try {
      const before = issuer.requests.length
      expect(await pullThrough(anonymous, `${UPSTREAM}/private/app:v1`, out())).toBe(single.top.digest)
      const asked = issuer.requests.slice(before)
      expect(asked.length).toBe(1)
      expect(asked[0]!.authorized || asked[0]!.account !== undefined).toBe(false)
    } finally {
      issuer.anonymousPull = false
      await anonymous.stop()
    }
  })
})
