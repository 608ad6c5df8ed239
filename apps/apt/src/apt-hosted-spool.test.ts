/** Hosted .deb uploads stream to the store's spool folder: refused, oversized or cut-short uploads leave no file there. */
import { readdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDeb, type BuiltDeb } from '@larder/testkit'
import { TEST_TOKEN, startAptAppHarness, type AptAppHarness } from './apt-app.harness.js'

const auth = { authorization: `Bearer ${TEST_TOKEN}` }
let h: AptAppHarness
let deb: BuiltDeb

beforeAll(async () => {
  h = await startAptAppHarness([], { LARDER_MAX_UPLOAD_MB: '1' })
  deb = await buildDeb({ name: 'spooled', version: '1.0', architecture: 'all' })
}, 120_000)

afterAll(async () => {
  await h?.close()
})

const spooled = async () => (await readdir(h.services.store.spoolDir)).filter((file) => file.startsWith('upload-'))
const upload = (body: RequestInit['body'], headers: Record<string, string> = {}) =>
  h.request('/apt/larder/upload/x.deb', { method: 'PUT', headers: { ...auth, ...headers }, body, duplex: 'half' } as RequestInit)

/** A body that sends `first` and then fails, as a client that drops the connection. */
function failingBody(first: Buffer): ReadableStream<Uint8Array> {
  let sent = false
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.error(new Error('connection reset'))
      sent = true
      controller.enqueue(first)
    },
  })
}

describe('hosted .deb upload spool files', () => {
  it('leaves none for an oversized upload (413)', async () => {
    expect((await upload(Buffer.alloc(2 * 1024 * 1024, 7))).status).toBe(413)
    expect(await spooled()).toEqual([])
  })

  it('leaves none for a body cut short, or a .deb truncated inside an ar member (400)', async () => {
    expect((await upload(failingBody(deb.bytes.subarray(0, 100)))).status).toBe(400)
    expect(await spooled()).toEqual([])
    const truncated = await upload(deb.bytes.subarray(0, deb.bytes.length - 10))
    expect(truncated.status).toBe(400)
    expect(((await truncated.json()) as { error: string }).error).toMatch(/not a valid \.deb/)
    expect(await spooled()).toEqual([])
  })

  it('hands a published upload to the store, and discards a repeated one', async () => {
    expect((await upload(deb.bytes)).status).toBe(201)
    expect((await upload(deb.bytes)).status).toBe(200)
    expect(await spooled()).toEqual([])
    const pool = await h.request('/apt/larder/pool/main/s/spooled/spooled_1.0_all.deb')
    expect(Buffer.from(await pool.arrayBuffer()).equals(deb.bytes)).toBe(true)
  })
})
