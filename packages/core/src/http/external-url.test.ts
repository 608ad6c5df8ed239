import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { parseTrustedProxies } from '../config/trusted-proxies.js'
import { externalBaseUrl } from './external-url.js'
import type { LarderEnv } from './types.js'

const TRUSTED = parseTrustedProxies('LARDER_TRUSTED_PROXIES', '10.0.0.0/8,::1')

/** `peer` stands for the socket's remote address, which the Node adapter passes in the bindings. */
async function base(headers: Record<string, string>, options: { publicUrl?: string; peer?: string } = {}): Promise<string> {
  const app = new Hono<LarderEnv>()
  app.get('/npm/x', (c) => c.text(externalBaseUrl(c, { prefix: '/npm', publicUrl: options.publicUrl, trustedProxies: TRUSTED })))
  const bindings = options.peer ? { incoming: { socket: { remoteAddress: options.peer } } } : {}
  const res = await app.request('http://127.0.0.1:8080/npm/x', { headers }, bindings as never)
  return res.text()
}

const FORWARDED = { host: 'app:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'pkgs.example.com', 'x-forwarded-prefix': '/larder/' }

describe('externalBaseUrl', () => {
  it('uses the Host header', async () => {
    expect(await base({ host: 'mirror.local:8080' })).toBe('http://mirror.local:8080/npm')
  })

  it('follows X-Forwarded-Proto/Host/Prefix from a trusted proxy (IPv4 range, IPv4-mapped, IPv6)', async () => {
    for (const peer of ['10.1.2.3', '::ffff:10.9.9.9', '::1']) {
      expect(await base(FORWARDED, { peer })).toBe('https://pkgs.example.com/larder/npm')
    }
  })

  it('ignores X-Forwarded-* from any other peer', async () => {
    for (const peer of ['192.168.1.1', '::ffff:127.0.0.1', '2001:db8::1']) {
      expect(await base(FORWARDED, { peer })).toBe('http://app:8080/npm')
    }
    expect(await base(FORWARDED)).toBe('http://app:8080/npm')
  })

  it('prefers LARDER_PUBLIC_URL', async () => {
    expect(await base({ host: 'x' }, { publicUrl: 'https://m.example.com/' })).toBe('https://m.example.com/npm')
  })

  it('ignores headers that try to inject markup or a scheme, even from a trusted proxy', async () => {
    expect(await base({ host: 'h', 'x-forwarded-host': 'evil"><script>', 'x-forwarded-proto': 'javascript' }, { peer: '10.0.0.1' })).toBe(
      'http://127.0.0.1:8080/npm',
    )
  })
})

describe('parseTrustedProxies', () => {
  it('refuses what is not an address or a CIDR range, naming the variable', () => {
    for (const bad of ['nginx', '10.0.0.0/33', '::1/129', '10.0.0.1/8/2', '1.2.3']) {
      expect(() => parseTrustedProxies('LARDER_TRUSTED_PROXIES', bad)).toThrow(/LARDER_TRUSTED_PROXIES/)
    }
  })

  it('trusts nobody by default', () => {
    expect(parseTrustedProxies('X', undefined).trusts('127.0.0.1')).toBe(false)
    expect(parseTrustedProxies('X', '').trusts('10.0.0.1')).toBe(false)
  })
})
