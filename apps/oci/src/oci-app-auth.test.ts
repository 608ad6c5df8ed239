import { afterEach, describe, expect, it } from 'vitest'
import { putImage, startOciAppHarness, type OciAppHarness } from './oci-app.harness.js'

let h: OciAppHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('upstream auth and redirects', () => {
  it('does the Bearer dance once per repository and reuses the token until it expires', async () => {
    h = await startOciAppHarness({ bearer: true })
    const image = putImage(h.registry, 'team/app', 'v1')
    expect((await h.request('/v2/fake/team/app/manifests/v1')).status).toBe(200)
    expect((await h.request(`/v2/fake/team/app/blobs/${image.layerDigest}`)).status).toBe(200)
    expect((await h.request(`/v2/fake/team/app/blobs/${image.configDigest}`)).status).toBe(200)
    expect(h.registry.tokenRequests()).toBe(1)
    // Only the very first request met a 401: after it the challenge is known and the token kept.
    expect(h.registry.server.requests.filter((r) => r.path.startsWith('/v2/') && !r.headers.authorization)).toHaveLength(1)
    // Another repository: its own scope, fetched up front from the remembered challenge.
    putImage(h.registry, 'team/other', 'v1')
    expect((await h.request('/v2/fake/team/other/manifests/v1')).status).toBe(200)
    expect(h.registry.tokenRequests()).toBe(2)
    expect(h.registry.server.requests.filter((r) => r.path.startsWith('/v2/') && !r.headers.authorization)).toHaveLength(1)
  })

  it('asks for a new token when the kept one has expired', async () => {
    // 5 s of life is all margin: the token is never kept.
    h = await startOciAppHarness({ bearer: true, expiresInS: 5 })
    const image = putImage(h.registry, 'team/app', 'v1')
    await h.request('/v2/fake/team/app/manifests/v1')
    await h.request(`/v2/fake/team/app/blobs/${image.layerDigest}`)
    expect(h.registry.tokenRequests()).toBe(2)
  })

  it('sends the upstream login to the token endpoint, and says which variable to fix when it is refused', async () => {
    h = await startOciAppHarness({ bearer: true, login: { user: 'alice', password: 's3cret-token' } }, { LARDER_OCI_CREDENTIALS: 'fake=alice:s3cret-token' })
    putImage(h.registry, 'team/private', 'v1')
    expect((await h.request('/v2/fake/team/private/manifests/v1')).status).toBe(200)
    const wrong = await h.reopen({ LARDER_OCI_CREDENTIALS: 'fake=alice:wrong-token' })
    const refused = await wrong.request('/v2/fake/team/private/manifests/v2')
    expect(refused.status).toBe(502)
    const body = await refused.text()
    expect(body).toContain('LARDER_OCI_CREDENTIALS')
    expect(body).not.toContain('wrong-token')
  })

  it('follows a blob redirect to a CDN without our Authorization header, and verifies what it sends', async () => {
    h = await startOciAppHarness({ bearer: true, cdn: true })
    const image = putImage(h.registry, 'team/app', 'v1', Buffer.alloc(100_000, 7))
    const response = await h.request(`/v2/fake/team/app/blobs/${image.layerDigest}`)
    expect(response.status).toBe(200)
    expect(Buffer.from(await response.arrayBuffer()).equals(image.layer)).toBe(true)
    const cdnRequests = h.registry.cdn!.requests
    expect(cdnRequests.length).toBeGreaterThan(0)
    for (const request of cdnRequests) expect(request.headers.authorization).toBeUndefined()
  })

  it('asks OCI clients for a Larder login with a Basic challenge when reads are protected', async () => {
    h = await startOciAppHarness({}, { LARDER_PROTECT_READS: '1', LARDER_TOKENS: 'ci=oci-test-token-1:oci' })
    const anonymous = await h.request('/v2/')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Larder"')
    expect(((await anonymous.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('UNAUTHORIZED')
    const basic = `Basic ${Buffer.from('ci:oci-test-token-1').toString('base64')}`
    expect((await h.request('/v2/', { headers: { authorization: basic } })).status).toBe(200)
  })
})
