/** The URL clients reach an app at, for links written into index documents. */
import type { Context } from 'hono'

export interface ExternalUrlOptions {
  /** LARDER_PUBLIC_URL: wins over request headers when set (e.g. https://mirror.example.com). */
  publicUrl?: string
  /** Where the app is mounted, e.g. '/npm'. */
  prefix: string
}

const SAFE_HOST = /^[A-Za-z0-9.\-:[\]]+$/
const SAFE_PREFIX = /^(\/[A-Za-z0-9._~\-]+)*$/

/** Base URL without a trailing slash, e.g. http://127.0.0.1:8080/npm. */
export function externalBaseUrl(c: Context, options: ExternalUrlOptions): string {
  if (options.publicUrl) return options.publicUrl.replace(/\/+$/, '') + options.prefix
  const url = new URL(c.req.url)
  const first = (value: string | undefined) => value?.split(',')[0]?.trim()
  const proto = first(c.req.header('x-forwarded-proto'))
  const host = first(c.req.header('x-forwarded-host')) ?? c.req.header('host') ?? url.host
  const forwardedPrefix = first(c.req.header('x-forwarded-prefix'))?.replace(/\/+$/, '') ?? ''
  // Headers come from the client or a proxy: never let them inject anything but a host and a path.
  const scheme = proto === 'https' || proto === 'http' ? proto : url.protocol.replace(':', '')
  const safeHost = SAFE_HOST.test(host) ? host : url.host
  const safePrefix = SAFE_PREFIX.test(forwardedPrefix) ? forwardedPrefix : ''
  return `${scheme}://${safeHost}${safePrefix}${options.prefix}`
}
