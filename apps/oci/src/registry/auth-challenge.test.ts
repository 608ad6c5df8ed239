import { describe, expect, it } from 'vitest'
import { parseChallenge } from './auth-challenge.js'

describe('parseChallenge', () => {
  it("reads Docker Hub's and distribution's Bearer challenges", () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/debian:pull' },
    })
    expect(parseChallenge('Bearer realm="http://127.0.0.1:1/token", service="svc", error="invalid_token"')?.params).toEqual({
      realm: 'http://127.0.0.1:1/token',
      service: 'svc',
      error: 'invalid_token',
    })
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } })
    expect(parseChallenge('Bearer realm="a\\"b",service=plain')?.params).toEqual({ realm: 'a"b', service: 'plain' })
  })

  it('gives nothing for what is not a challenge', () => {
    expect(parseChallenge(undefined)).toBeUndefined()
    expect(parseChallenge('')).toBeUndefined()
    expect(parseChallenge('"quoted"')).toBeUndefined()
  })
})
