/** The URL clients reach an app at, for links written into index documents. */
import type { Context } from 'hono'
import { TRUST_NO_PROXY, type TrustedProxies } from '../config/trusted-proxies.js'
import type { LarderEnv } from './types.js'

export interface ExternalUrlOptions {
  /** LARDER_PUBLIC_URL: wins over request headers when set (e.g. https://mirror.example.com). */
  publicUrl?: string | undefined
  /** Where the app is mounted, e.g. '/npm'. */
  prefix: string
  /** Peers whose X-Forwarded-Proto/Host/Prefix are believed; nobody's by default. */
  trustedProxies?: TrustedProxies | undefined
}

const SAFE_HOST = /^[A-Za-z0-9.\-:[\]]+$/
const SAFE_PREFIX = /^(\/[A-Za-z0-9._~-]+)*$/

/** Base URL without a trailing slash, e.g. http://127.0.0.1:8080/npm. */
export function externalBaseUrl(c: Context<LarderEnv>, options: ExternalUrlOptions): string {
  if (options.publicUrl) return options.publicUrl.replace(/\/+$/, '') + options.prefix
  const url = new URL(c.req.url)
  // Any client can send X-Forwarded-*: believed only from a configured proxy, or a shared cache in
  // front of Larder could be poisoned with links and redirects to another host.
  const trusted = (options.trustedProxies ?? TRUST_NO_PROXY).trusts(c.env?.incoming?.socket?.remoteAddress)
  const forwarded = (name: string) => (trusted ? c.req.header(name)?.split(',')[0]?.trim() : undefined)
  const proto = forwarded('x-forwarded-proto')
  const host = forwarded('x-forwarded-host') ?? c.req.header('host') ?? url.host
  const forwardedPrefix = forwarded('x-forwarded-prefix')?.replace(/\/+$/, '') ?? ''
  // Even a trusted proxy passes on what its client sent: never let it inject anything but a host and a path.
  const scheme = proto === 'https' || proto === 'http' ? proto : url.protocol.replace(':', '')
  const safeHost = SAFE_HOST.test(host) ? host : url.host
  const safePrefix = SAFE_PREFIX.test(forwardedPrefix) ? forwardedPrefix : ''
  return `${scheme}://${safeHost}${safePrefix}${options.prefix}`
}
