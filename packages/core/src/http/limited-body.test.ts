import { describe, expect, it } from 'vitest'
import { readLimitedBody } from './limited-body.js'

const streamOf = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part))
      controller.close()
    },
  })

describe('readLimitedBody', () => {
  it('returns the whole body under the limit', async () => {
    const request = new Request('http://x/', { method: 'PUT', body: streamOf('ab', 'cd'), duplex: 'half' } as RequestInit)
    expect((await readLimitedBody(request, 4, 'upload')).toString()).toBe('abcd')
  })

  it('refuses a declared length over the limit before reading', async () => {
    const request = new Request('http://x/', { method: 'PUT', body: 'abcdef', headers: { 'content-length': '6' } })
    await expect(readLimitedBody(request, 5, 'upload')).rejects.toMatchObject({ code: 'E_TOO_LARGE', status: 413 })
  })

  it('refuses a body that grows past the limit without a declared length', async () => {
    const request = new Request('http://x/', { method: 'PUT', body: streamOf('abc', 'def'), duplex: 'half' } as RequestInit)
    await expect(readLimitedBody(request, 5, 'upload')).rejects.toMatchObject({ code: 'E_TOO_LARGE' })
  })

  it('says a body the client cut off is a bad request of the client, not an internal fault', async () => {
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('ab'))
        controller.error(new Error('aborted'))
      },
    })
    const request = new Request('http://x/', { method: 'PUT', body: cut, duplex: 'half' } as RequestInit)
    await expect(readLimitedBody(request, 100, 'publish of x')).rejects.toMatchObject({
      code: 'E_BAD_REQUEST',
      status: 400,
      message: expect.stringMatching(/^publish of x was cut short after \d+ bytes: aborted$/),
    })
  })
})
