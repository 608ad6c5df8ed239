import { sha256Of } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { OCI_INDEX, OCI_MANIFEST, PUSH_AUTH, codeOf, imageManifest, pushImage, startHostedHarness, type HostedHarness } from './hosted.harness.js'

let h: HostedHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const REPO = 'local/team/app'
const tagsOf = async (harness: HostedHarness, query = '') => (await harness.request(`/v2/${REPO}/tags/list${query}`)).json()

describe('hosted manifests', () => {
  it('pushes by tag and serves the bytes as pushed by tag and by digest, with type, digest and length', async () => {
    h = await startHostedHarness()
    const image = await pushImage(h, REPO, '1.0')
    for (const reference of ['1.0', image.digest]) {
      const response = await h.request(`/v2/${REPO}/manifests/${reference}`)
      expect(response.status, reference).toBe(200)
      expect(Buffer.from(await response.arrayBuffer()).equals(image.bytes)).toBe(true)
      expect(response.headers.get('content-type')).toBe(OCI_MANIFEST)
      expect(response.headers.get('docker-content-digest')).toBe(image.digest)
      expect(response.headers.get('content-length')).toBe(String(image.bytes.length))
      expect(response.headers.get('x-larder-cache')).toBe('PRIVATE')
    }
    const head = await h.request(`/v2/${REPO}/manifests/1.0`, { method: 'HEAD' })
    expect(head.headers.get('docker-content-digest')).toBe(image.digest)
    expect(head.headers.get('cache-control')).toBe('no-cache')
    expect(await tagsOf(h)).toEqual({ name: REPO, tags: ['1.0'] })
    const pushed = await h.push.putManifest(REPO, '1.1', image.bytes, OCI_MANIFEST)
    expect(pushed.headers.get('location')).toBe(`/v2/${REPO}/manifests/${image.digest}`)
    expect(pushed.headers.get('docker-content-digest')).toBe(image.digest)
  })

  it('refuses a manifest naming a blob the repository does not hold, and stores nothing', async () => {
    h = await startHostedHarness()
    await pushImage(h, REPO, '1.0')
    const config = Buffer.from('{"os":"linux"}')
    const layer = Buffer.from('a layer only local/team/other holds')
    await h.push.uploadWhole(REPO, config)
    await h.push.uploadWhole('local/team/other', layer)
    const image = imageManifest(config, [layer])
    const refused = await h.push.putManifest(REPO, '2.0', image.bytes, OCI_MANIFEST)
    expect(refused.status).toBe(400)
    expect(await codeOf(refused)).toBe('MANIFEST_BLOB_UNKNOWN')
    expect((await h.request(`/v2/${REPO}/manifests/${image.digest}`)).status).toBe(404)
    expect(await tagsOf(h)).toEqual({ name: REPO, tags: ['1.0'] })
    const lying = imageManifest(config, [])
    const wrongSize = Buffer.from(lying.bytes.toString().replace(`"size": ${config.length}`, '"size": 3'))
    expect(await codeOf(await h.push.putManifest(REPO, '2.0', wrongSize, OCI_MANIFEST))).toBe('MANIFEST_INVALID')
  })

  it('checks a digest reference against the bytes, and pushes by digest without a tag', async () => {
    h = await startHostedHarness()
    const image = await pushImage(h, REPO, '1.0')
    const other = sha256Of(Buffer.from('not it'))
    const mismatch = await h.push.putManifest(REPO, other, image.bytes, OCI_MANIFEST)
    expect(mismatch.status).toBe(400)
    expect(await codeOf(mismatch)).toBe('DIGEST_INVALID')
    const second = await pushImage(h, REPO, '1.0', [Buffer.from('another layer')])
    expect((await h.push.putManifest(REPO, second.digest, second.bytes, OCI_MANIFEST)).status).toBe(201)
  })

  it('pushes an index once the repository holds its manifests, and moves tags that are not immutable', async () => {
    h = await startHostedHarness()
    const amd = await pushImage(h, REPO, 'amd', [Buffer.from('amd64 layer')])
    const arm = imageManifest(Buffer.from('{"architecture":"arm64"}'), [Buffer.from('arm64 layer')])
    const index = (children: { digest: string; bytes: Buffer }[]) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: children.map((c) => ({ mediaType: OCI_MANIFEST, digest: c.digest, size: c.bytes.length })),
        }),
      )
    const early = await h.push.putManifest(REPO, 'multi', index([amd, arm]), OCI_INDEX)
    expect(await codeOf(early)).toBe('MANIFEST_BLOB_UNKNOWN')
    for (const blob of [Buffer.from('{"architecture":"arm64"}'), Buffer.from('arm64 layer')]) await h.push.uploadWhole(REPO, blob)
    expect((await h.push.putManifest(REPO, arm.digest, arm.bytes, OCI_MANIFEST)).status).toBe(201)
    expect((await h.push.putManifest(REPO, 'multi', index([amd, arm]), OCI_INDEX)).status).toBe(201)
    const served = await h.request(`/v2/${REPO}/manifests/multi`)
    expect(served.headers.get('content-type')).toBe(OCI_INDEX)
    expect(served.headers.get('docker-content-digest')).toBe(sha256Of(index([amd, arm])))
    // A mutable tag moves to other bytes; the old manifest stays by digest.
    expect((await h.push.putManifest(REPO, 'multi', index([amd]), OCI_INDEX)).status).toBe(201)
    expect((await h.request(`/v2/${REPO}/manifests/multi`)).headers.get('docker-content-digest')).toBe(sha256Of(index([amd])))
    expect((await h.request(`/v2/${REPO}/manifests/${sha256Of(index([amd, arm]))}`)).status).toBe(200)
  })

  it('refuses bodies that are too big, cut short, not JSON, not a known type, or typed against themselves', async () => {
    h = await startHostedHarness()
    const put = (body: string, type = OCI_MANIFEST, headers: Record<string, string> = {}) =>
      h!.request(`/v2/${REPO}/manifests/bad`, { method: 'PUT', headers: { authorization: PUSH_AUTH, 'content-type': type, ...headers }, body })
    const big = await put(JSON.stringify({ schemaVersion: 2, pad: 'x'.repeat(4 * 1024 * 1024) }))
    expect(big.status).toBe(413)
    expect(await codeOf(big)).toBe('MANIFEST_INVALID')
    expect(await codeOf(await put('{"schemaVersion": 2,'))).toBe('MANIFEST_INVALID')
    expect(await codeOf(await put('[1]'))).toBe('MANIFEST_INVALID')
    const schema1 = JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] })
    expect(await codeOf(await put(schema1, 'application/vnd.docker.distribution.manifest.v1+prettyjws'))).toBe('MANIFEST_INVALID')
    expect(await codeOf(await put(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] })))).toBe('MANIFEST_INVALID')
    const badDigest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'a/b', digest: 'sha512:ab', size: 1 }, layers: [] })
    expect(await codeOf(await put(badDigest))).toBe('MANIFEST_INVALID')
    expect(await codeOf(await put('{"schemaVersion": 2}', OCI_MANIFEST, { 'content-length': '400' }))).toBe('MANIFEST_INVALID')
    expect(await (await h.request(`/v2/${REPO}/tags/list`)).status).toBe(404)
  })

  it('lists tags in ASCII order a page at a time, with a Link to the next page', async () => {
    h = await startHostedHarness()
    const image = await pushImage(h, REPO, 'b')
    for (const tag of ['a', 'C', 'c', '1']) await h.push.putManifest(REPO, tag, image.bytes, OCI_MANIFEST)
    expect(await tagsOf(h)).toEqual({ name: REPO, tags: ['1', 'C', 'a', 'b', 'c'] })
    const page = await h.request(`/v2/${REPO}/tags/list?n=2&last=C`)
    expect(await page.json()).toEqual({ name: REPO, tags: ['a', 'b'] })
    expect(page.headers.get('link')).toBe(`</v2/${REPO}/tags/list?n=2&last=b>; rel="next"`)
    const end = await h.request(`/v2/${REPO}/tags/list?n=2&last=b`)
    expect(await end.json()).toEqual({ name: REPO, tags: ['c'] })
    expect(end.headers.get('link')).toBeNull()
    expect(await tagsOf(h, '?n=0')).toEqual({ name: REPO, tags: [] })
    const unknown = await h.request('/v2/local/team/none/tags/list')
    expect(await codeOf(unknown)).toBe('NAME_UNKNOWN')
  })

  it('refuses names, references and traversal under the hosted name with 400 and the OCI code', async () => {
    h = await startHostedHarness()
    const cases: [string, string][] = [
      ['/v2/local/manifests/v1', 'NAME_INVALID'],
      ['/v2/local/Team/app/manifests/v1', 'NAME_INVALID'],
      ['/v2/local/team/%2e%2e%2fetc/manifests/v1', 'NAME_INVALID'],
      ['/v2/local/%252e%252e/app/blobs/uploads/', 'NAME_INVALID'],
      ['/v2/local/team/..%5capp/manifests/v1', 'NAME_INVALID'],
      ['/v2/local/team/app/manifests/-v1', 'TAG_INVALID'],
      [`/v2/local/team/app/referrers/sha256:${'A'.repeat(64)}`, 'DIGEST_INVALID'],
    ]
    for (const [path, code] of cases) {
      const response = await h.request(path, { method: 'PUT', headers: { authorization: PUSH_AUTH }, body: '{}' })
      expect(response.status, path).toBe(400)
      expect(await codeOf(response), path).toBe(code)
    }
  })
})
