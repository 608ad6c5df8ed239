import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { externalBaseUrl } from './external-url.js'

async function base(headers: Record<string, string>, publicUrl?: string): Promise<string> {
  const app = new Hono()
  app.get('/npm/x', (c) => c.text(externalBaseUrl(c, { prefix: '/npm', publicUrl })))
  const res = await app.request('http://127.0.0.1:8080/npm/x', { headers })
  return res.text()
}

describe('externalBaseUrl', () => {
  it('uses the Host header', async () => {
    expect(await base({ host: 'mirror.local:8080' })).toBe('http://mirror.local:8080/npm')
  })

  it('follows X-Forwarded-Proto/Host/Prefix from a reverse proxy', async () => {
    expect(
      await base({ host: 'app:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'pkgs.example.com', 'x-forwarded-prefix': '/larder/' }),
    ).toBe('https://pkgs.example.com/larder/npm')
  })

  it('prefers LARDER_PUBLIC_URL', async () => {
    expect(await base({ host: 'x' }, 'https://m.example.com/')).toBe('https://m.example.com/npm')
  })

  it('ignores headers that try to inject markup or a scheme', async () => {
    expect(await base({ host: 'h', 'x-forwarded-host': 'evil"><script>', 'x-forwarded-proto': 'javascript' })).toBe(
      'http://127.0.0.1:8080/npm',
    )
  })
})
