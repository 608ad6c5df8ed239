/** Requests framed in ways RFC 9112 refuses, over a real socket to the running server: two Hosts, a transfer coding Node does not apply. */
import { connect } from 'node:net'
import { join } from 'node:path'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLarder, type LarderServer } from '../support/larder-process.js'

let work: TempDir
let larder: LarderServer

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-framing-')
  larder = await startLarder({ dataDir: join(work.path, 'data'), env: { LARDER_TOKENS: 'ci=e2e-framing-token:files' } })
})
afterAll(async () => {
  await larder?.stop()
  await work?.cleanup()
})

/** Sends `request` as raw bytes and reads the whole answer (the server closes the connection after a refusal). */
async function raw(request: string): Promise<{ status: number; body: string }> {
  const socket = connect(larder.port, '127.0.0.1')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.write(request)
  await new Promise<void>((resolve, reject) => socket.once('close', () => resolve()).once('error', reject))
  const text = Buffer.concat(chunks).toString('utf8')
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) }
}

describe('request framing', () => {
  it('refuses a path with dot segments, as sent or percent-encoded, before any mirror resolves it', async () => {
    for (const path of ['/npm/foo/%2e%2e', '/npm/../../etc/passwd', '/gems/info/%2E%2E']) {
      const answer = await raw(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
      expect(answer.status, path).toBe(400)
      expect(JSON.parse(answer.body), path).toMatchObject({ code: 'E_INVALID_NAME', hint: 'send the path without dot segments' })
    }
  })

  it('refuses two Host headers with a JSON 400', async () => {
    const answer = await raw('GET /healthz HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'E_BAD_REQUEST', error: 'the request has more than one Host header' })
  })

  it('refuses an upload in a transfer coding other than chunked with a 501, and stores nothing', async () => {
    const body = '5\r\nhello\r\n0\r\n\r\n'
    const answer = await raw(
      `PUT /files/builds/te.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer e2e-framing-token\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${body}`,
    )
    expect(answer.status).toBe(501)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'E_NOT_IMPLEMENTED' })
    expect((await fetch(`${larder.url}/files/builds/te.txt`)).status).toBe(404)
    expect((await fetch(`${larder.url}/healthz`)).status).toBe(200)
  })
})
