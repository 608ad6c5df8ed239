import { Readable } from 'node:stream'
import type { UpstreamClient, UpstreamRequest } from '@larder/core'
import { describe, expect, it } from 'vitest'
import { parseTokenAnswer, requestToken } from './token-request.js'

function stubClient(body: string, seen: UpstreamRequest[] = []): UpstreamClient {
  return {
    request: async (req) => {
      seen.push(req)
      return { status: 200, headers: {}, body: Readable.from([Buffer.from(body)]), url: req.url }
    },
    isCircuitOpen: () => false,
    health: () => [],
    close: async () => {},
  }
}

const challenge = (realm: string) => ({ scheme: 'bearer', params: { realm, service: 'registry.example' } })

describe('token requests', () => {
  it('reads token or access_token, with 60 s of life when expires_in is absent', () => {
    expect(parseTokenAnswer('u', Buffer.from('{"token":"abc","expires_in":300}'))).toEqual({ token: 'abc', lifetimeS: 300 })
    expect(parseTokenAnswer('u', Buffer.from('{"access_token":"xyz"}'))).toEqual({ token: 'xyz', lifetimeS: 60 })
    expect(() => parseTokenAnswer('u', Buffer.from('{"token":""}'))).toThrow(/sent no token/)
    expect(() => parseTokenAnswer('u', Buffer.from('{"token":"a\\r\\nX-Evil: 1"}'))).toThrow(/sent no token/)
    expect(() => parseTokenAnswer('u', Buffer.from('<html>'))).toThrow(/no JSON/)
  })

  it('asks the realm with service, scope and the login as Basic', async () => {
    const seen: UpstreamRequest[] = []
    const credentials = { username: 'bob', secret: 'pat' }
    const issued = await requestToken(stubClient('{"token":"t"}', seen), {
      upstream: 'docker.io',
      baseUrl: 'https://registry-1.docker.io',
      challenge: challenge('https://auth.example/token'),
      scope: 'repository:library/debian:pull',
      credentials,
    })
    expect(issued.token).toBe('t')
    const url = new URL(seen[0]!.url)
    expect(url.searchParams.get('service')).toBe('registry.example')
    expect(url.searchParams.get('scope')).toBe('repository:library/debian:pull')
    expect(seen[0]!.headers?.authorization).toBe(`Basic ${Buffer.from('bob:pat').toString('base64')}`)
  })

  it('never sends the login of an https registry to a plain-http realm', async () => {
    const seen: UpstreamRequest[] = []
    const request = requestToken(stubClient('{"token":"t"}', seen), {
      upstream: 'docker.io',
      baseUrl: 'https://registry-1.docker.io',
      challenge: challenge('http://auth.example/token'),
      scope: 's',
      credentials: { username: 'bob', secret: 'pat' },
    })
    await expect(request).rejects.toThrow(/plain-http token endpoint/)
    expect(seen).toHaveLength(0)
  })
})
