import { afterEach, describe, expect, it } from 'vitest'
import { putImage, startOciAppHarness, type OciAppHarness } from './oci-app.harness.js'

let h: OciAppHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const manifestRequests = (harness: OciAppHarness, method: string, tag: string) =>
  harness.registry.server.requests.filter((r) => r.method === method && r.path.endsWith(`/manifests/${tag}`)).length

describe('tags as indexes', () => {
  it('revalidates a tag with a HEAD after its TTL and fetches it again only when the digest moved', async () => {
    h = await startOciAppHarness({}, { LARDER_INDEX_TTL_SECONDS: '0' })
    const first = putImage(h.registry, 'team/app', 'latest')
    expect((await h.request('/v2/fake/team/app/manifests/latest')).headers.get('docker-content-digest')).toBe(first.digest)
    const again = await h.request('/v2/fake/team/app/manifests/latest')
    expect(again.headers.get('x-larder-cache')).toBe('REVALIDATED')
    expect(manifestRequests(h, 'GET', 'latest')).toBe(1)
    expect(manifestRequests(h, 'HEAD', 'latest')).toBe(1)
    const second = putImage(h.registry, 'team/app', 'latest', Buffer.from('a new layer'))
    const moved = await h.request('/v2/fake/team/app/manifests/latest')
    expect(moved.headers.get('docker-content-digest')).toBe(second.digest)
    expect(Buffer.from(await moved.arrayBuffer()).equals(second.bytes)).toBe(true)
    // The new bytes came by digest, verified; the tag itself was only ever HEADed again.
    expect(manifestRequests(h, 'GET', 'latest')).toBe(1)
    expect(manifestRequests(h, 'GET', second.digest)).toBe(1)
  })

  it('follows a moved tag with a GET when the registry answers manifest HEADs with 405', async () => {
    h = await startOciAppHarness({ manifestHeadStatus: 405 }, { LARDER_INDEX_TTL_SECONDS: '0' })
    putImage(h.registry, 'team/app', 'latest')
    await h.request('/v2/fake/team/app/manifests/latest')
    const second = putImage(h.registry, 'team/app', 'latest', Buffer.from('a new layer'))
    const moved = await h.request('/v2/fake/team/app/manifests/latest')
    expect([moved.status, moved.headers.get('x-larder-cache'), moved.headers.get('docker-content-digest')]).toEqual([200, 'MISS', second.digest])
  })

  it('keeps another repository of the upstream reachable after one answered with a challenge Larder cannot meet', async () => {
    h = await startOciAppHarness({ basicRepos: ['team/private'] })
    const open = putImage(h.registry, 'team/open', 'v1')
    expect((await h.request('/v2/fake/team/private/manifests/v1')).status).toBe(403)
    const res = await h.request('/v2/fake/team/open/manifests/v1')
    expect([res.status, res.headers.get('docker-content-digest')]).toEqual([200, open.digest])
  })

  it("passes on an upstream's 403 as DENIED, which clients do not retry, for manifests and blobs", async () => {
    h = await startOciAppHarness()
    const image = putImage(h.registry, 'team/app', 'v1')
    h.registry.failWith = 403
    for (const path of ['/v2/fake/team/app/manifests/v1', `/v2/fake/team/app/blobs/${image.layerDigest}`]) {
      const res = await h.request(path)
      expect(res.status, path).toBe(403)
      expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code, path).toBe('DENIED')
    }
  })

  it('serves the cached tag when the upstream fails, rate-limits or has deleted it', async () => {
    h = await startOciAppHarness({}, { LARDER_INDEX_TTL_SECONDS: '0' })
    const image = putImage(h.registry, 'team/app', 'v1')
    await h.request('/v2/fake/team/app/manifests/v1')
    for (const status of [500, 429]) {
      h.registry.failWith = status
      const stale = await h.request('/v2/fake/team/app/manifests/v1')
      expect(stale.status, String(status)).toBe(200)
      expect(stale.headers.get('x-larder-cache')).toBe('STALE')
      expect(stale.headers.get('docker-content-digest')).toBe(image.digest)
    }
    h.registry.failWith = undefined
    h.registry.deleteTag('team/app', 'v1')
    const deleted = await h.request('/v2/fake/team/app/manifests/v1')
    expect(deleted.headers.get('x-larder-cache')).toBe('STALE')
    expect(Buffer.from(await deleted.arrayBuffer()).equals(image.bytes)).toBe(true)
  })

  it('serves the cached tag once the stale deadline passes while the upstream hangs', async () => {
    h = await startOciAppHarness({}, { LARDER_INDEX_TTL_SECONDS: '0', LARDER_STALE_DEADLINE_MS: '200' })
    const image = putImage(h.registry, 'team/app', 'v1')
    await h.request('/v2/fake/team/app/manifests/v1')
    await h.registry.server.setFault('hang', (path) => path.includes('/manifests/'))
    const started = performance.now()
    const stale = await h.request('/v2/fake/team/app/manifests/v1')
    expect(performance.now() - started).toBeLessThan(1500)
    expect(stale.headers.get('x-larder-cache')).toBe('STALE')
    expect(stale.headers.get('x-larder-stale')).toBe('E_UPSTREAM_TIMEOUT')
    expect(stale.headers.get('docker-content-digest')).toBe(image.digest)
    await h.registry.server.setFault(null)
  })

  it('offline: serves what is cached by tag and digest, and names the miss for the rest', async () => {
    h = await startOciAppHarness()
    const image = putImage(h.registry, 'team/app', 'v1')
    await (await h.request('/v2/fake/team/app/manifests/v1')).arrayBuffer()
    // Read to the end: a miss answers while the blob still streams in, and is stored once its digest checks.
    await (await h.request(`/v2/fake/team/app/blobs/${image.layerDigest}`)).arrayBuffer()
    const offline = await h.reopen({ LARDER_OFFLINE: '1' })
    const before = h.registry.server.totalHits()
    const byTag = await offline.request('/v2/fake/team/app/manifests/v1')
    expect(byTag.headers.get('x-larder-cache')).toBe('OFFLINE')
    expect((await offline.request(`/v2/fake/team/app/manifests/${image.digest}`)).status).toBe(200)
    expect((await offline.request(`/v2/fake/team/app/blobs/${image.layerDigest}`)).status).toBe(200)
    const missing = await offline.request('/v2/fake/team/app/manifests/v2')
    expect(missing.status).toBe(404)
    const error = ((await missing.json()) as { errors: { code: string; message: string }[] }).errors[0]!
    expect(error.code).toBe('MANIFEST_UNKNOWN')
    expect(error.message).toMatch(/not cached and Larder is offline/)
    const blob = await offline.request(`/v2/fake/team/app/blobs/${image.configDigest}`)
    expect(((await blob.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('BLOB_UNKNOWN')
    expect((await (await offline.request('/v2/fake/team/app/tags/list')).json()) as unknown).toEqual({ name: 'fake/team/app', tags: ['v1'] })
    expect(h.registry.server.totalHits()).toBe(before)
  })

  it('coalesces concurrent misses of one tag into one upstream fetch', async () => {
    h = await startOciAppHarness()
    putImage(h.registry, 'team/app', 'v1')
    const responses = await Promise.all(Array.from({ length: 10 }, () => h!.request('/v2/fake/team/app/manifests/v1')))
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(manifestRequests(h, 'GET', 'v1')).toBe(1)
  })
})
