import { readdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { sha256Of } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { PUSH_AUTH, codeOf, startHostedHarness, type HostedHarness } from './hosted.harness.js'

let h: HostedHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const REPO = 'local/team/app'
/** Sessions' spool files and whole-blob uploads still spooled. */
const uploadFiles = async (harness: HostedHarness) => (await readdir(harness.services.store.spoolDir)).filter((name) => /^(oci-)?upload-/.test(name))
/** A body that sends `bytes`, then fails as a client that disconnects does. */
const cutOff = (bytes: Buffer) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(bytes))
      controller.error(new Error('client went away'))
    },
  })

describe('hosted blob uploads', () => {
  it('takes a whole blob in one POST, then serves it with Range to this repository only', async () => {
    h = await startHostedHarness()
    const bytes = Buffer.from('0123456789abcdef')
    const created = await h.push.uploadWhole(REPO, bytes)
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`/v2/${REPO}/blobs/${sha256Of(bytes)}`)
    expect(created.headers.get('docker-content-digest')).toBe(sha256Of(bytes))
    const range = await h.request(`/v2/${REPO}/blobs/${sha256Of(bytes)}`, { headers: { range: 'bytes=2-5' } })
    expect(range.status).toBe(206)
    expect(await range.text()).toBe('2345')
    const head = await h.request(`/v2/${REPO}/blobs/${sha256Of(bytes)}`, { method: 'HEAD' })
    expect(head.headers.get('content-length')).toBe('16')
    const elsewhere = await h.request(`/v2/local/team/other/blobs/${sha256Of(bytes)}`)
    expect(elsewhere.status).toBe(404)
    expect(await codeOf(elsewhere)).toBe('BLOB_UNKNOWN')
  })

  it('takes chunks in order with Content-Range, says how far it got, and refuses one out of order with 416', async () => {
    h = await startHostedHarness()
    const bytes = randomBytes(300_000)
    expect(await h.push.uploadChunked(REPO, bytes, 64 * 1024)).toBe(sha256Of(bytes))
    expect(Buffer.from(await (await h.request(`/v2/${REPO}/blobs/${sha256Of(bytes)}`)).arrayBuffer()).equals(bytes)).toBe(true)

    const { location, response } = await h.push.startUpload(REPO)
    expect(response.status).toBe(202)
    expect(location).toMatch(new RegExp(`^/v2/${REPO}/blobs/uploads/[0-9a-f-]{36}$`))
    expect(response.headers.get('docker-upload-uuid')).toBe(location.split('/').at(-1))
    expect(response.headers.get('range')).toBe('0-0')
    expect((await h.push.patch(location, bytes.subarray(0, 100), [0, 99])).headers.get('range')).toBe('0-99')
    const skipped = await h.push.patch(location, bytes.subarray(200, 300), [200, 299])
    expect(skipped.status).toBe(416)
    expect(skipped.headers.get('range')).toBe('0-99')
    expect(skipped.headers.get('location')).toBe(location)
    expect(await codeOf(skipped)).toBe('BLOB_UPLOAD_INVALID')
    const status = await h.request(location, { headers: { authorization: PUSH_AUTH } })
    expect(status.status).toBe(204)
    expect(status.headers.get('range')).toBe('0-99')
    // The rest streamed in one PATCH without a range (as skopeo sends a layer), then an empty PUT.
    expect((await h.push.patch(location, bytes.subarray(100))).headers.get('range')).toBe(`0-${bytes.length - 1}`)
    expect((await h.push.finish(location, sha256Of(bytes))).status).toBe(201)
    expect(await uploadFiles(h)).toEqual([])
  })

  it('stores nothing when the bytes do not hash to the digest, and ends the session', async () => {
    h = await startHostedHarness()
    const { location } = await h.push.startUpload(REPO)
    await h.push.patch(location, Buffer.from('some bytes'))
    const wrong = sha256Of(Buffer.from('other bytes'))
    const refused = await h.push.finish(location, wrong)
    expect(refused.status).toBe(400)
    expect(await codeOf(refused)).toBe('DIGEST_INVALID')
    expect(await h.services.store.statBlob(sha256Of(Buffer.from('some bytes')).slice(7))).toBeUndefined()
    expect((await h.request(`/v2/${REPO}/blobs/${wrong}`)).status).toBe(404)
    expect(await codeOf(await h.push.finish(location, sha256Of(Buffer.from('some bytes'))))).toBe('BLOB_UPLOAD_UNKNOWN')
    const whole = await h.push.uploadWhole(REPO, Buffer.from('x'))
    expect(whole.status).toBe(201)
    const lying = await h.request(`/v2/${REPO}/blobs/uploads/?digest=${wrong}`, { method: 'POST', headers: { authorization: PUSH_AUTH }, body: 'some bytes' })
    expect(await codeOf(lying)).toBe('DIGEST_INVALID')
    expect(await uploadFiles(h)).toEqual([])
  })

  it('takes back a chunk cut short or over the limit whole, so the upload can go on', async () => {
    h = await startHostedHarness({ LARDER_MAX_UPLOAD_MB: '1' })
    const { location } = await h.push.startUpload(REPO)
    await h.push.patch(location, Buffer.from('abc'), [0, 2])
    const cut = await h.request(location, {
      method: 'PATCH',
      headers: { authorization: PUSH_AUTH },
      body: cutOff(Buffer.from('defg')),
      duplex: 'half',
    } as RequestInit)
    expect(cut.status).toBe(400)
    const big = await h.push.patch(location, randomBytes(1024 * 1024))
    expect(big.status).toBe(413)
    const short = await h.request(location, { method: 'PATCH', headers: { authorization: PUSH_AUTH, 'content-range': '3-9' }, body: 'def' })
    expect(await codeOf(short)).toBe('BLOB_UPLOAD_INVALID')
    expect((await h.request(location, { headers: { authorization: PUSH_AUTH } })).headers.get('range')).toBe('0-2')
    expect((await h.push.finish(location, sha256Of(Buffer.from('abcdef')), Buffer.from('def'))).status).toBe(201)
    const whole = await h.push.uploadWhole(REPO, randomBytes(1024 * 1024 + 1))
    expect(whole.status).toBe(413)
    expect(await codeOf(whole)).toBe('SIZE_INVALID')
    expect(await uploadFiles(h)).toEqual([])
  })

  it('cancels a session, and knows no session of another repository or of a made-up id', async () => {
    h = await startHostedHarness()
    const { location } = await h.push.startUpload(REPO)
    await h.push.patch(location, Buffer.from('abc'))
    const id = location.split('/').at(-1)!
    const other = await h.request(`/v2/local/team/other/blobs/uploads/${id}`, { headers: { authorization: PUSH_AUTH } })
    expect(await codeOf(other)).toBe('BLOB_UPLOAD_UNKNOWN')
    // (A lone %2e%2e is resolved by URL parsing before Larder sees it: another URL altogether.)
    for (const bad of ['00000000-0000-0000-0000-000000000000', '..%2f..%2fetc', 'abc%00', id.toUpperCase()]) {
      const response = await h.request(`/v2/${REPO}/blobs/uploads/${bad}`, { method: 'PATCH', headers: { authorization: PUSH_AUTH }, body: 'x' })
      expect(response.status, bad).toBe(404)
      expect(await codeOf(response), bad).toBe('BLOB_UPLOAD_UNKNOWN')
    }
    expect((await h.request(location, { method: 'DELETE', headers: { authorization: PUSH_AUTH } })).status).toBe(204)
    expect((await h.request(location, { headers: { authorization: PUSH_AUTH } })).status).toBe(404)
    expect(await uploadFiles(h)).toEqual([])
  })

  it('mounts a blob from another hosted repository or a mirrored one, else starts a session', async () => {
    h = await startHostedHarness()
    const bytes = Buffer.from('shared layer')
    await h.push.uploadWhole('local/team/base', bytes)
    const mount = (from: string) =>
      h!.request(`/v2/${REPO}/blobs/uploads/?mount=${sha256Of(bytes)}&from=${from}`, { method: 'POST', headers: { authorization: PUSH_AUTH } })
    const fallback = await mount('local/team/none')
    expect(fallback.status).toBe(202)
    expect(fallback.headers.get('location')).toMatch(/\/blobs\/uploads\/[0-9a-f-]{36}$/)
    expect((await mount('local/Bad..Name')).status).toBe(202)
    const mounted = await mount('local/team/base')
    expect(mounted.status).toBe(201)
    expect(mounted.headers.get('location')).toBe(`/v2/${REPO}/blobs/${sha256Of(bytes)}`)
    expect(await (await h.request(`/v2/${REPO}/blobs/${sha256Of(bytes)}`)).text()).toBe('shared layer')
    // A blob Larder has cached from an upstream, verified then, mounts too.
    const mirrored = Buffer.from('a mirrored base layer')
    const digest = h.registry.putBlob(mirrored)
    expect(await (await h.request(`/v2/fake/library/base/blobs/${digest}`)).text()).toBe('a mirrored base layer')
    const fromMirror = await h.request(`/v2/${REPO}/blobs/uploads/?mount=${digest}&from=fake/library/base`, {
      method: 'POST',
      headers: { authorization: PUSH_AUTH },
    })
    expect(fromMirror.status).toBe(201)
    const bad = await h.request(`/v2/${REPO}/blobs/uploads/?mount=sha256:abc&from=local/team/base`, { method: 'POST', headers: { authorization: PUSH_AUTH } })
    expect(await codeOf(bad)).toBe('DIGEST_INVALID')
  })

  it('asks for the oci token with a Basic challenge, and names the scheme on /v2/ so clients send their login', async () => {
    h = await startHostedHarness({ LARDER_TOKENS: 'ci=oci-push-token-1:oci,npm=npm-token-12345:npm' })
    const base = await h.request('/v2/')
    expect(base.status).toBe(200)
    expect(base.headers.get('www-authenticate')).toBe('Basic realm="Larder"')
    const anonymous = await h.anonymous.startUpload(REPO)
    expect(anonymous.response.status).toBe(401)
    expect(anonymous.response.headers.get('www-authenticate')).toBe('Basic realm="Larder"')
    expect(await codeOf(anonymous.response)).toBe('UNAUTHORIZED')
    const npm = await h.request(`/v2/${REPO}/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('x:npm-token-12345').toString('base64')}` },
    })
    expect(npm.status).toBe(403)
    expect(await codeOf(npm)).toBe('DENIED')
    expect(await uploadFiles(h)).toEqual([])
  })
})
