import { describe, expect, it } from 'vitest'
import { assertDistHostAllowed, parseDistHosts } from './dist-hosts.js'

describe('dist hosts', () => {
  it('allows any http(s) host by default', () => {
    const any = parseDistHosts(undefined)
    expect(any).toBeUndefined()
    expect(() => assertDistHostAllowed(any, 'https://api.github.com/repos/a/b/zipball/x', 'a/b')).not.toThrow()
    expect(() => assertDistHostAllowed(any, 'ftp://files.example/a.zip', 'a/b')).toThrow(expect.objectContaining({ code: 'E_FORBIDDEN' }))
    // The metadata's fault (a 502 naming the URL), not Larder's (a 500).
    expect(() => assertDistHostAllowed(any, '/dl/a.zip', 'a/b')).toThrow(
      expect.objectContaining({ code: 'E_UPSTREAM_GARBAGE', message: expect.stringContaining('"/dl/a.zip"') }),
    )
  })

  it('allows only the listed hosts, by host:port or by name', () => {
    const hosts = parseDistHosts('api.github.com, 127.0.0.1:8081')
    expect(() => assertDistHostAllowed(hosts, 'https://api.github.com/x', 'a/b')).not.toThrow()
    expect(() => assertDistHostAllowed(hosts, 'http://127.0.0.1:8081/z', 'a/b')).not.toThrow()
    expect(() => assertDistHostAllowed(hosts, 'http://127.0.0.1:9999/z', 'a/b')).toThrow(/127\.0\.0\.1:9999 is not in LARDER_COMPOSER_DIST_HOSTS/)
    expect(() => assertDistHostAllowed(hosts, 'http://169.254.169.254/latest', 'a/b')).toThrow(expect.objectContaining({ code: 'E_FORBIDDEN' }))
  })

  it('names the variable when an item is malformed', () => {
    expect(() => parseDistHosts('https://a.com')).toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION', message: expect.stringContaining('LARDER_COMPOSER_DIST_HOSTS') }),
    )
  })
})
