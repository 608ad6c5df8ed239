/** Refuses requests whose Host (or trusted X-Forwarded-Host) Larder does not serve, once hosts are configured. */
import type { MiddlewareHandler } from 'hono'
import type { TrustedProxies } from '../config/trusted-proxies.js'
import { LarderError } from '../errors/index.js'
import type { LarderEnv } from './types.js'

/** Health checks and scrapers call the process by its local address, whatever the public name. */
export const HOST_CHECK_EXEMPT_PATHS = new Set(['/healthz', '/readyz', '/metrics'])
/** Loopback names cannot come from DNS rebinding and are never written into links when a public URL is set. */
const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/

export interface AllowedHostOptions {
  /** Lower-case host or host:port values; empty serves any Host. */
  allowedHosts: readonly string[]
  trustedProxies: TrustedProxies
}

export function allowedHostCheck(options: AllowedHostOptions): MiddlewareHandler<LarderEnv> {
  const allowed = new Set(options.allowedHosts)
  return async (c, next) => {
    if (allowed.size === 0 || HOST_CHECK_EXEMPT_PATHS.has(c.req.path)) return next()
    const hosts = [c.req.header('host') ?? new URL(c.req.url).host]
    if (options.trustedProxies.trusts(c.env?.incoming?.socket?.remoteAddress)) {
      const forwarded = c.req.header('x-forwarded-host')?.split(',')[0]?.trim()
      if (forwarded) hosts.push(forwarded)
    }
    for (const host of hosts) {
      const name = host.toLowerCase()
      if (!allowed.has(name) && !LOOPBACK_HOST.test(name)) {
        throw new LarderError('E_BAD_REQUEST', `this Larder does not serve the host "${host.slice(0, 100)}"`, {
          hint: 'use the host of LARDER_PUBLIC_URL, or add this one to LARDER_ALLOWED_HOSTS',
        })
      }
    }
    return next()
  }
}
