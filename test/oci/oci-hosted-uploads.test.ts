/**
 * Uploads into Larder's hosted namespace driven by a small fetch client over real HTTP: chunked PATCHes with
 * Content-Range (skopeo streams each layer in one), a chunk out of order, a manifest naming a blob never uploaded,
 * and an upload cut off mid-chunk and then abandoned, which the sweep removes without a trace.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basicAuth, sha256Of, waitFor } from '@larder/testkit'
import type { OciLarder } from './oci-larder.js'
import { PUSH_TOKEN, fetchClient, startHostedLarder, uploadSpoolFiles } from './oci-hosted-larder.js'

const AUTH = basicAuth('ci', PUSH_TOKEN)
const MIB = 1024 * 1024
let larder: OciLarder

beforeAll(async () => {
  // Uploads idle for two seconds are abandoned, so the sweep is seen within the test.
  larder = await startHostedLarder({ LARDER_OCI_UPLOAD_EXPIRY_SECONDS: '2' })
}, 120_000)

afterAll(async () => {
  await larder?.stop()
})

const codeOf = async (response: Response) => ((await response.json()) as { errors: { code: string }[] }).errors[0]?.code
const status = (location: string) => fetch(`${larder.url}${location}`, { headers: { authorization: AUTH } })

describe('hosted uploads over HTTP', () => {
  it('takes a blob in 1 MiB chunks with Content-Range, refuses one out of order with 416, and serves it whole', async () => {
    const client = fetchClient(larder)
    const bytes = randomBytes(5 * MIB + 123)
    const digest = await client.uploadChunked('local/team/chunks', bytes, MIB)
    const served = await fetch(`${larder.url}/v2/local/team/chunks/blobs/${digest}`)
    expect(sha256Of(Buffer.from(await served.arrayBuffer()))).toBe(sha256Of(bytes))

    const { location } = await client.startUpload('local/team/chunks')
    expect((await client.patch(location, bytes.subarray(0, MIB), [0, MIB - 1])).status).toBe(202)
    const ahead = await client.patch(location, bytes.subarray(2 * MIB, 3 * MIB), [2 * MIB, 3 * MIB - 1])
    expect(ahead.status).toBe(416)
    expect(ahead.headers.get('range')).toBe(`0-${MIB - 1}`)
    expect((await client.patch(location, bytes.subarray(MIB), [MIB, bytes.length - 1])).status).toBe(202)
    expect((await client.finish(location, digest)).status).toBe(201)
  })

  it('refuses a manifest naming a blob the repository never received', async () => {
    const client = fetchClient(larder)
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}')
    expect((await client.uploadWhole('local/team/partial', config)).status).toBe(201)
    const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Of(Buffer.from('never uploaded')), size: 14 }
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Of(config), size: config.length },
      layers: [layer],
    }
    const refused = await client.putManifest('local/team/partial', '1.0', Buffer.from(JSON.stringify(manifest)), manifest.mediaType)
    expect(refused.status).toBe(400)
    expect(await codeOf(refused)).toBe('MANIFEST_BLOB_UNKNOWN')
    expect((await fetch(`${larder.url}/v2/local/team/partial/manifests/1.0`)).status).toBe(404)
  })

  it('takes back a chunk cut off mid-body, then sweeps the abandoned upload and its spool file', async () => {
    const client = fetchClient(larder)
    const { location } = await client.startUpload('local/team/abandoned')
    expect((await client.patch(location, randomBytes(MIB), [0, MIB - 1])).status).toBe(202)
    // The client dies half-way through its second chunk.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(randomBytes(256 * 1024))
        controller.error(new Error('client went away'))
      },
    })
    const cut = fetch(`${larder.url}${location}`, { method: 'PATCH', headers: { authorization: AUTH }, body, duplex: 'half' } as RequestInit)
    await expect(cut).rejects.toThrow()
    // The status waits for the cut-off chunk to be handled: the upload holds the first chunk only.
    expect((await status(location)).headers.get('range')).toBe(`0-${MIB - 1}`)
    expect(await uploadSpoolFiles(larder)).toHaveLength(1)
    // Watched on disk: asking for the status would itself keep the upload alive.
    await waitFor(async () => (await uploadSpoolFiles(larder)).length === 0, { timeoutMs: 20_000, description: 'the abandoned upload swept' })
    expect(await codeOf(await status(location))).toBe('BLOB_UPLOAD_UNKNOWN')
    expect(larder.output()).not.toMatch(/"level":50/)
  })
})
