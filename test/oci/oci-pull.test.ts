/** skopeo pulls images through Larder's OCI mirror from Docker's real registry (anonymous): by tag, by digest, each platform of an index, and one big layer for 20 clients at once. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeSkopeo, makeTempDir, skopeo, startRegistryFixture, waitFor, type OciLayout, type RegistryFixture, type TempDir } from '@larder/testkit'
import { UPSTREAM, buildAndPush, fetchDigest, inspectDigest, pullThrough, startOciLarder, type OciLarder } from './oci-larder.js'

/** The issue asks for a 200 MB layer: big enough that 20 uncoalesced fetches would show. */
const BIG_LAYER_BYTES = 200 * 1024 * 1024

let work: TempDir
let registry: RegistryFixture
let larder: OciLarder
let single: OciLayout
let multi: OciLayout
let big: OciLayout
let outs = 0
const out = () => join(work.path, `out-${++outs}`)

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-oci-')
  registry = await startRegistryFixture()
  single = await buildAndPush(registry, work.path, 'team/hello', 'v1', [{ files: { 'hello.txt': 'hello\n' } }])
  multi = await buildAndPush(registry, work.path, 'team/multi', 'v1', [
    { platform: { os: 'linux', architecture: 'amd64' } },
    { platform: { os: 'linux', architecture: 'arm64' } },
  ])
  big = await buildAndPush(registry, work.path, 'team/big', 'v1', [{ bigLayerBytes: BIG_LAYER_BYTES }])
  larder = await startOciLarder(registry)
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await registry?.cleanup()
  await work?.cleanup()
})

describe('skopeo through the Larder OCI mirror', () => {
  it('pulls by tag and by digest with the digests the registry has', async () => {
    expect(await inspectDigest(larder, `${UPSTREAM}/team/hello:v1`)).toBe(single.top.digest)
    expect(await pullThrough(larder, `${UPSTREAM}/team/hello:v1`, out())).toBe(single.top.digest)
    expect(await pullThrough(larder, `${UPSTREAM}/team/hello@${single.top.digest}`, out())).toBe(single.top.digest)
    // The second pull found every blob in the cache.
    const blobGets = registry.count('GET', (path) => path.startsWith('/v2/team/hello/blobs/'), 200)
    expect(blobGets).toBe(single.images[0]!.layers.length + 1)
  })

  it('pulls each platform of a two-platform index, and serves the index byte for byte', async () => {
    expect(await inspectDigest(larder, `${UPSTREAM}/team/multi:v1`)).toBe(multi.top.digest)
    for (const [i, arch] of ['amd64', 'arm64'].entries()) {
      expect(await pullThrough(larder, `${UPSTREAM}/team/multi:v1`, out(), { arch })).toBe(multi.images[i]!.manifest.digest)
    }
    const index = await fetch(`${larder.url}/v2/${UPSTREAM}/team/multi/manifests/v1`)
    expect(index.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json')
    expect(index.headers.get('docker-content-digest')).toBe(multi.top.digest)
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${larder.host}/${UPSTREAM}/team/multi:v1`])
    expect(raw.code, describeSkopeo(raw)).toBe(0)
    expect(JSON.parse(raw.stdout)).toEqual(await index.json())
  })

  it('serves names without an upstream (mirror mode) from the default upstream, and lists tags', async () => {
    expect(await inspectDigest(larder, 'team/hello:v1')).toBe(single.top.digest)
    const tags = await skopeo(['list-tags', '--tls-verify=false', `docker://${larder.host}/${UPSTREAM}/team/hello`])
    expect(tags.code, describeSkopeo(tags)).toBe(0)
    expect(JSON.parse(tags.stdout).Tags).toEqual(['v1'])
  })

  it('fetches a big layer once from the registry while 20 clients download it', async () => {
    const layer = big.images[0]!.layers.find((l) => l.size > BIG_LAYER_BYTES)!
    const url = `${larder.url}/v2/${UPSTREAM}/team/big/blobs/${layer.digest}`
    const isLayer = (path: string) => path === `/v2/team/big/blobs/${layer.digest}`
    const results = await Promise.all(Array.from({ length: 20 }, () => fetchDigest(url)))
    for (const result of results) expect(result).toEqual({ status: 200, digest: layer.digest, size: layer.size })
    // The registry logs a request as it completes: wait for the line, then check there is only one.
    await waitFor(() => registry.count('GET', isLayer) >= 1, { description: 'the registry logged the layer GET' })
    expect(registry.count('GET', isLayer), registry.output()).toBe(1)
    const after = await pullThrough(larder, `${UPSTREAM}/team/big:v1`, out())
    expect(after).toBe(big.top.digest)
    expect(registry.count('GET', isLayer)).toBe(1)
  })
})
