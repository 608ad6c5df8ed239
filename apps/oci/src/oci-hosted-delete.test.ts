import { afterEach, describe, expect, it } from 'vitest'
import { OCI_MANIFEST, PUSH_AUTH, PUSH_TOKEN, codeOf, imageManifest, pushImage, startHostedHarness, type HostedHarness } from './hosted.harness.js'

let h: HostedHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const REPO = 'local/team/app'
/** '' sends no token. */
const del = (harness: HostedHarness, path: string, authorization = PUSH_AUTH) =>
  harness.request(path, { method: 'DELETE', headers: authorization ? { authorization } : {} })

describe('hosted deletes, immutable tags and protected reads', () => {
  it('deletes a manifest by digest with the token, and every tag naming it; a tag alone; a blob', async () => {
    h = await startHostedHarness()
    const image = await pushImage(h, REPO, '1.0')
    await h.push.putManifest(REPO, 'latest', image.bytes, OCI_MANIFEST)
    const kept = await pushImage(h, REPO, '2.0', [Buffer.from('other layer')])
    const anonymous = await del(h, `/v2/${REPO}/manifests/${image.digest}`, '')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Larder"')
    expect((await del(h, `/v2/${REPO}/manifests/${image.digest}`)).status).toBe(202)
    expect(await codeOf(await h.request(`/v2/${REPO}/manifests/${image.digest}`))).toBe('MANIFEST_UNKNOWN')
    expect(await codeOf(await h.request(`/v2/${REPO}/manifests/latest`))).toBe('MANIFEST_UNKNOWN')
    expect(await (await h.request(`/v2/${REPO}/tags/list`)).json()).toEqual({ name: REPO, tags: ['2.0'] })
    expect(await codeOf(await del(h, `/v2/${REPO}/manifests/${image.digest}`))).toBe('MANIFEST_UNKNOWN')
    expect((await del(h, `/v2/${REPO}/manifests/2.0`)).status).toBe(202)
    expect((await h.request(`/v2/${REPO}/manifests/${kept.digest}`)).status).toBe(200)
    expect((await del(h, `/v2/${REPO}/blobs/${kept.layerDigests[0]}`)).status).toBe(202)
    expect(await codeOf(await h.request(`/v2/${REPO}/blobs/${kept.layerDigests[0]}`))).toBe('BLOB_UNKNOWN')
    expect(await codeOf(await del(h, `/v2/${REPO}/blobs/${kept.layerDigests[0]}`))).toBe('BLOB_UNKNOWN')
  })

  it('keeps tags matching LARDER_OCI_IMMUTABLE_TAGS where they were pushed, and lets the others move', async () => {
    h = await startHostedHarness({ LARDER_OCI_IMMUTABLE_TAGS: String.raw`v\d+\.\d+\.\d+` })
    const first = await pushImage(h, REPO, 'v1.0.0')
    // The same bytes again (a retried CI job) are fine.
    expect((await h.push.putManifest(REPO, 'v1.0.0', first.bytes, OCI_MANIFEST)).status).toBe(201)
    const second = await pushImage(h, REPO, 'latest', [Buffer.from('a new layer')])
    const moved = await h.push.putManifest(REPO, 'v1.0.0', second.bytes, OCI_MANIFEST)
    expect(moved.status).toBe(409)
    expect(await codeOf(moved)).toBe('DENIED')
    expect((await h.request(`/v2/${REPO}/manifests/v1.0.0`)).headers.get('docker-content-digest')).toBe(first.digest)
    // Only whole tags match: v1.0.0-rc1 moves.
    for (const image of [first, second]) expect((await h.push.putManifest(REPO, 'v1.0.0-rc1', image.bytes, OCI_MANIFEST)).status).toBe(201)
    expect((await h.push.putManifest(REPO, 'latest', first.bytes, OCI_MANIFEST)).status).toBe(201)
    expect(await codeOf(await del(h, `/v2/${REPO}/manifests/v1.0.0`))).toBe('DENIED')
    expect(await codeOf(await del(h, `/v2/${REPO}/manifests/${first.digest}`))).toBe('DENIED')
    expect((await h.request(`/v2/${REPO}/manifests/${first.digest}`)).status).toBe(200)
  })

  it('serves the referrers of a manifest, filtered by artifactType, as pushed with a subject', async () => {
    h = await startHostedHarness()
    const image = await pushImage(h, REPO, '1.0')
    const subject = { mediaType: OCI_MANIFEST, digest: image.digest, size: image.bytes.length }
    const empty = Buffer.from('{}')
    await h.push.uploadWhole(REPO, empty)
    const signature = Buffer.from('a signature')
    await h.push.uploadWhole(REPO, signature)
    const emptyConfig = { mediaType: 'application/vnd.oci.empty.v1+json', digest: imageManifest(empty, []).configDigest, size: 2 }
    const referrer = (artifactType: string, layer: Buffer) => {
      const document = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType,
        config: emptyConfig,
        layers: [{ mediaType: 'application/octet-stream', digest: imageManifest(layer, []).configDigest, size: layer.length }],
        subject,
        annotations: { 'org.example.kind': artifactType },
      }
      return Buffer.from(JSON.stringify(document))
    }
    const sig = referrer('application/vnd.example.signature.v1', signature)
    const pushed = await h.push.putManifest(REPO, imageManifest(sig, []).configDigest, sig, OCI_MANIFEST)
    expect(pushed.status).toBe(201)
    expect(pushed.headers.get('oci-subject')).toBe(image.digest)
    const sbom = referrer('application/vnd.example.sbom.v1', signature)
    await h.push.putManifest(REPO, imageManifest(sbom, []).configDigest, sbom, OCI_MANIFEST)
    const all = await h.request(`/v2/${REPO}/referrers/${image.digest}`)
    expect(all.status).toBe(200)
    expect(all.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json')
    const index = (await all.json()) as { schemaVersion: number; manifests: { artifactType: string; annotations: Record<string, string>; size: number }[] }
    expect(index.schemaVersion).toBe(2)
    expect(index.manifests.map((m) => m.artifactType).sort()).toEqual(['application/vnd.example.sbom.v1', 'application/vnd.example.signature.v1'])
    expect(index.manifests.find((m) => m.artifactType.includes('sbom'))!.annotations).toEqual({ 'org.example.kind': 'application/vnd.example.sbom.v1' })
    const filtered = await h.request(`/v2/${REPO}/referrers/${image.digest}?artifactType=application/vnd.example.sbom.v1`)
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType')
    expect(((await filtered.json()) as { manifests: unknown[] }).manifests).toHaveLength(1)
    // A manifest with no referrers, or one never pushed: an empty index, never a 404.
    expect(((await (await h.request(`/v2/${REPO}/referrers/${imageManifest(sig, []).configDigest}`)).json()) as { manifests: unknown[] }).manifests).toEqual([])
    expect((await del(h, `/v2/${REPO}/manifests/${imageManifest(sig, []).configDigest}`)).status).toBe(202)
    expect(((await (await h.request(`/v2/${REPO}/referrers/${image.digest}`)).json()) as { manifests: unknown[] }).manifests).toHaveLength(1)
  })

  it('with LARDER_PROTECT_READS, hosted pulls need the token too', async () => {
    h = await startHostedHarness({ LARDER_PROTECT_READS: '1' })
    const image = await pushImage(h, REPO, '1.0')
    const anonymous = await h.request(`/v2/${REPO}/manifests/1.0`)
    expect(anonymous.status).toBe(401)
    expect(await codeOf(anonymous)).toBe('UNAUTHORIZED')
    const authorized = await h.request(`/v2/${REPO}/manifests/1.0`, { headers: { authorization: `Bearer ${PUSH_TOKEN}` } })
    expect(authorized.headers.get('docker-content-digest')).toBe(image.digest)
  })
})
