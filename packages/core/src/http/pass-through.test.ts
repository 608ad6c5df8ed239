import { Readable } from 'node:stream'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { LarderError } from '../errors/index.js'
import type { UpstreamClient, UpstreamRequest } from '../upstream/index.js'
import { passThrough, type PassThroughMethod } from './pass-through.js'
import type { LarderEnv } from './types.js'

function appForwarding(methods: readonly PassThroughMethod[]) {
  const seen: UpstreamRequest[] = []
  const upstream = {
    request: async (req: UpstreamRequest) => {
      seen.push(req)
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([Buffer.from('{"ok":true}')]) }
    },
  } as unknown as UpstreamClient
  const app = new Hono<LarderEnv>()
  app.onError((err, c) => c.json({ code: (err as LarderError).code }, (err as LarderError).status as 405))
  app.all('/search', (c) => passThrough(c, { upstream, url: 'http://upstream.invalid/search', offline: false, purpose: 'search', methods }))
  return { app, seen }
}

describe('passThrough', () => {
  it('forwards the methods the endpoint has', async () => {
    const { app, seen } = appForwarding(['GET', 'HEAD'])
    expect((await app.request('/search')).status).toBe(200)
    expect(seen.map((r) => r.method)).toEqual(['GET'])
  })

  it('refuses any other method with 405 before the upstream hears of it', async () => {
    const { app, seen } = appForwarding(['POST'])
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await app.request('/search', { method, ...(method === 'GET' ? {} : { body: 'x' }) })
      expect([method, res.status, ((await res.json()) as { code: string }).code]).toEqual([method, 405, 'E_METHOD_NOT_ALLOWED'])
    }
    expect(seen).toEqual([])
  })
})
