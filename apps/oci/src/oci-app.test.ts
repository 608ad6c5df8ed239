import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Digest } from './fake-registry.harness.js'
import { putImage, startOciAppHarness, type OciAppHarness } from './oci-app.harness.js'

let h: OciAppHarness

beforeAll(async () => {
  h = await startOciAppHarness()
})
afterAll(() => h?.close())

const errorsOf = async (response: Response) => ((await response.json()) as { errors: { code: string; message: string }[] }).errors

describe('the OCI pull path', () => {
  it('answers the version check with {} and the API version header', async () => {
    const response = await h.request('/v2/')
    expect(response.status).toBe(200)
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(await response.json()).toEqual({})
  })

  it('serves a manifest by tag byte for byte, with its type, digest and length, then from the cache', async () => {
    const image = putImage(h.registry, 'team/app', 'v1')
    const first = await h.request('/v2/fake/team/app/manifests/v1')
    expect(first.status).toBe(200)
    expect(Buffer.from(await first.arrayBuffer()).equals(image.bytes)).toBe(true)
    expect(first.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(first.headers.get('docker-content-digest')).toBe(image.digest)
    expect(first.headers.get('content-length')).toBe(String(image.bytes.length))
    expect(first.headers.get('x-larder-cache')).toBe('MISS')
    // A tag moves: neither the answer nor a 304 to it may be kept as if it were a digest.
    expect(first.headers.get('cache-control')).toBe('no-cache')
    const revalidated = await h.request('/v2/fake/team/app/manifests/v1', { headers: { 'if-none-match': `"${image.digest.slice(7)}"` } })
    expect([revalidated.status, revalidated.headers.get('cache-control')]).toEqual([304, 'no-cache'])
    const hits = h.registry.server.hitCount((path) => path.includes('/manifests/'))
    const again = await h.request('/v2/fake/team/app/manifests/v1', { method: 'HEAD' })
    expect(again.status).toBe(200)
    expect(again.headers.get('x-larder-cache')).toBe('HIT')
    expect(again.headers.get('docker-content-digest')).toBe(image.digest)
    expect(again.headers.get('content-length')).toBe(String(image.bytes.length))
    // Fetching by tag stored the digest too: a pull by digest needs no upstream.
    const byDigest = await h.request(`/v2/fake/team/app/manifests/${image.digest}`)
    expect(byDigest.headers.get('x-larder-cache')).toBe('HIT')
    expect(Buffer.from(await byDigest.arrayBuffer()).equals(image.bytes)).toBe(true)
    expect(h.registry.server.hitCount((path) => path.includes('/manifests/'))).toBe(hits)
  })

  it('serves blobs verified, with Range on a stored copy, shared by repositories of one upstream', async () => {
    const image = putImage(h.registry, 'team/blobs', 'v1', Buffer.from('0123456789abcdef'))
    const miss = await h.request(`/v2/fake/team/blobs/blobs/${image.layerDigest}`)
    expect(miss.status).toBe(200)
    expect(await miss.text()).toBe('0123456789abcdef')
    expect(miss.headers.get('docker-content-digest')).toBe(image.layerDigest)
    const range = await h.request(`/v2/fake/team/blobs/blobs/${image.layerDigest}`, { headers: { range: 'bytes=4-7' } })
    expect(range.status).toBe(206)
    expect(await range.text()).toBe('4567')
    expect(range.headers.get('content-range')).toBe('bytes 4-7/16')
    const elsewhere = await h.request(`/v2/fake/other/repo/blobs/${image.layerDigest}`)
    expect(elsewhere.headers.get('x-larder-cache')).toBe('HIT')
  })

  it('refuses a blob whose bytes do not match its digest, and stores nothing', async () => {
    const digest = h.registry.putBlob(Buffer.from('the real bytes'))
    h.registry.corruptBlob(digest, Buffer.from('other bytes!!!'))
    const response = await h.request(`/v2/fake/team/bad/blobs/${digest}`)
    const failed =
      response.status !== 200 ||
      (await response.text().then(
        () => false,
        () => true,
      ))
    expect(failed).toBe(true)
    expect(await h.services.cache.lookupArtifact(`oci:blob:fake/${digest}`)).toBeUndefined()
  })

  it('refuses a manifest over the 4 MiB limit and one whose bytes do not hash to the digest asked for', async () => {
    const big = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', pad: 'x'.repeat(4 * 1024 * 1024) }))
    h.registry.putManifest('team/big', 'v1', { bytes: big, mediaType: 'application/vnd.oci.image.manifest.v1+json' })
    const response = await h.request('/v2/fake/team/big/manifests/v1')
    expect(response.status).toBe(502)
    expect((await errorsOf(response))[0]!.code).toBe('MANIFEST_INVALID')
    const wrong = `sha256:${'0'.repeat(64)}`
    const missing = await h.request(`/v2/fake/team/big/manifests/${wrong}`)
    expect(missing.status).toBe(404)
    expect((await errorsOf(missing))[0]!.code).toBe('MANIFEST_UNKNOWN')
  })

  it('answers unknown tags and blobs with the OCI error codes', async () => {
    const tag = await h.request('/v2/fake/team/none/manifests/nope')
    expect(tag.status).toBe(404)
    expect((await errorsOf(tag))[0]!.code).toBe('MANIFEST_UNKNOWN')
    const blob = await h.request(`/v2/fake/team/none/blobs/${sha256Digest(Buffer.from('absent'))}`)
    expect(blob.status).toBe(404)
    expect((await errorsOf(blob))[0]!.code).toBe('BLOB_UNKNOWN')
  })

  it('refuses bad names, tags and digests with 400 and the OCI code, whatever the encoding', async () => {
    const cases: [string, string][] = [
      ['/v2/fake/Team/app/manifests/v1', 'NAME_INVALID'],
      ['/v2/fake/team/%2e%2e%2fetc/manifests/v1', 'NAME_INVALID'],
      ['/v2/fake/team%2f..%2fx/manifests/v1', 'NAME_INVALID'],
      ['/v2/fake/%252e%252e/app/manifests/v1', 'NAME_INVALID'],
      ['/v2/fake/team/..%5capp/manifests/v1', 'NAME_INVALID'],
      ['/v2/fake/team/app/manifests/-v1', 'TAG_INVALID'],
      ['/v2/fake/team/app/manifests/sha512:abcd', 'DIGEST_INVALID'],
      ['/v2/fake/team/app/blobs/sha256:ABCDEF', 'DIGEST_INVALID'],
      [`/v2/fake/team/app/blobs/sha256:${'a'.repeat(63)}`, 'DIGEST_INVALID'],
    ]
    for (const [path, code] of cases) {
      const response = await h.request(path)
      expect(response.status, path).toBe(400)
      expect((await errorsOf(response))[0]!.code, path).toBe(code)
    }
    // A lone %2e%2e segment is resolved by URL parsing before Larder sees the path: it names another repository.
    const resolved = await h.request('/v2/fake/team/%2e%2e/manifests/v1')
    expect(resolved.status).toBe(404)
  })

  it('lists tags under the name the client used, and keeps answering from the cache when the upstream fails', async () => {
    putImage(h.registry, 'team/tags', 'a')
    putImage(h.registry, 'team/tags', 'b')
    const response = await h.request('/v2/fake/team/tags/tags/list')
    expect(await response.json()).toEqual({ name: 'fake/team/tags', tags: ['a', 'b'] })
    h.registry.failWith = 500
    try {
      const stale = await h.request('/v2/fake/team/tags/tags/list')
      expect(stale.status).toBe(200)
      expect(stale.headers.get('x-larder-cache')).toBe('STALE')
      expect(((await stale.json()) as { tags: string[] }).tags).toEqual(['a', 'b'])
    } finally {
      h.registry.failWith = undefined
    }
  })

  it('sends names of no configured upstream to ns=, else the default; docker.io names get library/', async () => {
    const image = putImage(h.registry, 'library/debian', 'bookworm')
    for (const path of ['/v2/docker.io/debian/manifests/bookworm', '/v2/debian/manifests/bookworm?ns=docker.io', '/v2/library/debian/manifests/bookworm']) {
      const response = await h.request(path)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('docker-content-digest'), path).toBe(image.digest)
    }
    const unknown = await h.request('/v2/debian/manifests/bookworm?ns=registry.example.com')
    expect(unknown.status).toBe(404)
    expect((await errorsOf(unknown))[0]!.code).toBe('NAME_UNKNOWN')
  })

  it('never asks an upstream for the hosted name, and refuses pushes to mirrored registries with 405', async () => {
    const before = h.registry.server.totalHits()
    const hosted = await h.request('/v2/local/team/app/manifests/v1')
    expect(hosted.status).toBe(404)
    expect((await errorsOf(hosted))[0]!.code).toBe('MANIFEST_UNKNOWN')
    expect(h.registry.server.totalHits()).toBe(before)
    const push = await h.request('/v2/fake/team/app/blobs/uploads/', { method: 'POST' })
    expect(push.status).toBe(405)
    expect((await errorsOf(push))[0]!.code).toBe('UNSUPPORTED')
    const put = await h.request('/v2/fake/team/app/manifests/v1', { method: 'PUT', body: '{}' })
    expect(put.status).toBe(405)
  })
})

describe('Accept negotiation of manifests', () => {
  const platforms = (h: OciAppHarness) => {
    const amd64 = putImage(h.registry, 'team/multi', 'p-amd64', Buffer.from('amd64 layer'))
    const arm64 = putImage(h.registry, 'team/multi', 'p-arm64', Buffer.from('arm64 layer'))
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: arm64.digest,
            size: arm64.bytes.length,
            platform: { os: 'linux', architecture: 'arm64' },
          },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: amd64.digest,
            size: amd64.bytes.length,
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      }),
    )
    const digest = h.registry.putManifest('team/multi', 'v1', { bytes: index, mediaType: 'application/vnd.oci.image.index.v1+json' })
    return { amd64, index, digest }
  }

  it('gives a client that takes single manifests only the linux/amd64 one of an index, and the index to everyone else', async () => {
    const { amd64, digest } = platforms(h)
    const single = await h.request('/v2/fake/team/multi/manifests/v1', {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    })
    expect(single.status).toBe(200)
    expect(single.headers.get('docker-content-digest')).toBe(amd64.digest)
    expect(single.headers.get('cache-control')).toBe('no-cache')
    for (const accept of [undefined, '*/*', 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json']) {
      const whole = await h.request('/v2/fake/team/multi/manifests/v1', accept ? { headers: { accept } } : {})
      expect(whole.headers.get('docker-content-digest'), String(accept)).toBe(digest)
    }
    const refused = await h.request('/v2/fake/team/multi/manifests/v1', { headers: { accept: 'application/vnd.oci.artifact.manifest.v1+json' } })
    expect(refused.status).toBe(404)
    expect((await errorsOf(refused))[0]!.code).toBe('MANIFEST_UNKNOWN')
  })
})
