/** Hostile paths (traversal in any encoding, NUL, overlong), missing or wrong tokens, oversized and interrupted uploads: refused, and nothing stored. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_BASE_URL } from '@larder/core/testing'
import { AUTH, json, NPM_TOKEN, openFilesApp, spooled, upload, type FilesHarness } from './files-app.harness.js'

let h: FilesHarness

beforeAll(async () => {
  h = await openFilesApp({ LARDER_MAX_UPLOAD_MB: '1' })
})

afterAll(async () => {
  await h?.close()
})

/** As the Node server hands a request over: the URL resolved, the request line as sent beside it. */
function sendRaw(target: string, init: RequestInit = {}): Promise<Response> {
  return Promise.resolve(h.app.request(`${TEST_BASE_URL}${target}`, init, { incoming: { url: target } } as never))
}

async function storedKeys(): Promise<string[]> {
  const keys: string[] = []
  for await (const key of h.services.store.listEntries('files-hosted:')) keys.push(key)
  return keys
}

const HOSTILE = [
  '/files/builds/../escaped',
  '/files/builds/./x',
  '/files/builds/%2e%2e/escaped',
  '/files/builds/%2E%2E/escaped',
  '/files/builds/.%2e/escaped',
  '/files/builds/..%2fescaped',
  '/files/builds/..%2Fetc%2Fpasswd',
  '/files/builds/%2fetc%2fpasswd',
  '/files/builds/..%5cescaped',
  '/files/builds/a%5cb',
  '/files/builds/a\\b',
  '/files/builds/a%00b',
  '/files/builds/x%00',
  '/files/builds/%252e%252e%252fescaped',
  '/files/builds/..%c0%afescaped',
  '/files/builds/%c0%ae%c0%ae/escaped',
  '/files/builds/%ef%bc%8e%ef%bc%8e%ef%bc%8fescaped',
  '/files/builds/.../x',
  '/files/builds//x',
  '/files/builds/a%0d%0aSet-Cookie:%20x=1',
  '/files/builds/x%',
  '/files/builds/%u002e%u002e/x',
  `/files/builds/${'a'.repeat(256)}`,
  `/files/builds/${Array.from({ length: 40 }, () => 'd').join('/')}`,
  `/files/builds/${Array.from({ length: 5 }, () => 'b'.repeat(250)).join('/')}`,
  `/files/builds/${'%2e'.repeat(2000)}`,
  '/files/Builds/x',
  '/files/-x/y',
  '/files/builds/C:%5cWindows%5cx',
]

describe('a hostile path', () => {
  it.each(HOSTILE)('%s is 400 E_INVALID_NAME for GET, PUT and DELETE, and stores nothing', async (target) => {
    for (const init of [{}, { method: 'PUT', headers: AUTH, body: 'payload' }, { method: 'DELETE', headers: AUTH }]) {
      const res = await sendRaw(target, init)
      expect(res.status, `${init.method ?? 'GET'} ${target}`).toBe(400)
      expect((await json(res)).code).toBe('E_INVALID_NAME')
    }
    expect(await storedKeys()).toEqual([])
  })

  it('a bad ?sha256= pin is 400', async () => {
    expect((await h.request('/files/builds/x?sha256=zz')).status).toBe(400)
    expect((await h.request(`/files/builds/x?sha256=${'a'.repeat(64)}&sha256=${'b'.repeat(64)}`)).status).toBe(400)
  })
})

describe('who may upload', () => {
  it("is 401 without a token or with an unknown one, 403 with another mirror's, and nothing is read or stored", async () => {
    expect((await h.request('/files/builds/x', { method: 'PUT', body: 'x' })).status).toBe(401)
    expect((await h.request('/files/builds/x', { method: 'PUT', body: 'x', headers: { authorization: 'Bearer not-a-token-at-all' } })).status).toBe(401)
    const other = await h.request('/files/builds/x', { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${NPM_TOKEN}` } })
    expect(other.status).toBe(403)
    expect((await h.request('/files/builds/x', { method: 'DELETE', headers: { authorization: `Bearer ${NPM_TOKEN}` } })).status).toBe(403)
    expect(await storedKeys()).toEqual([])
  })
})

const MB = 1024 * 1024

/** A body of `bytes` that arrives in 64 KiB chunks with no Content-Length; `fail` cuts it off halfway. */
function streamedBody(bytes: number, fail = false): RequestInit {
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (fail && sent >= bytes / 2) return controller.error(new Error('client went away'))
      if (sent >= bytes) return controller.close()
      controller.enqueue(new Uint8Array(64 * 1024).fill(7))
      sent += 64 * 1024
    },
  })
  return { method: 'PUT', headers: AUTH, body, duplex: 'half' } as RequestInit
}

describe('upload limits', () => {
  it('an upload over LARDER_MAX_UPLOAD_MB is 413, declared or streamed, and leaves nothing behind', async () => {
    const declared = await upload(h, 'big/declared.bin', new Uint8Array(2 * MB))
    expect(declared.status).toBe(413)
    expect((await json(declared)).error).toMatch(/LARDER_MAX_UPLOAD_MB/)
    const streamed = await h.request('/files/big/streamed.bin', streamedBody(2 * MB))
    expect(streamed.status).toBe(413)
    expect(await storedKeys()).toEqual([])
    expect(await spooled(h)).toEqual([])
  })

  it('an upload cut off by the client is 400: its spool file is gone and nothing is served or listed', async () => {
    const res = await h.request('/files/big/cut.bin', streamedBody(MB / 2, true))
    expect(res.status).toBe(400)
    expect(await spooled(h)).toEqual([])
    expect(await storedKeys()).toEqual([])
    expect((await h.request('/files/big/cut.bin')).status).toBe(404)
  })

  it('a streamed upload within the limit is stored', async () => {
    expect((await h.request('/files/big/ok.bin', streamedBody(MB / 2))).status).toBe(201)
    expect((await h.request('/files/big/ok.bin')).headers.get('content-length')).toBe(String(MB / 2))
  })
})
