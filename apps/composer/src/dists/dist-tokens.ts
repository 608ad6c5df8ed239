/** Per-host tokens for dist downloads (code hosts rate-limit anonymous ones): LARDER_COMPOSER_DIST_TOKENS=host=token,host=token. */
import { LarderError } from '@larder/core'

export const DIST_TOKENS_ENV = 'LARDER_COMPOSER_DIST_TOKENS'
const HOST = /^[a-z0-9.-]+(:\d{1,5})?$/

/** host (or host:port) -> token. */
export type DistTokens = ReadonlyMap<string, string>

export function parseDistTokens(text: string | undefined): DistTokens {
  const tokens = new Map<string, string>()
  for (const item of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf('=')
    const host = item.slice(0, eq).toLowerCase()
    const token = item.slice(eq + 1)
    if (eq <= 0 || !HOST.test(host) || token === '' || /\s/.test(token)) {
      throw new LarderError('E_INVALID_OPTION', `${DIST_TOKENS_ENV}: "${item.slice(0, eq > 0 ? eq : 40)}=..." must look like host=token`)
    }
    tokens.set(host, token)
  }
  return tokens
}

/** The Authorization header for a dist URL: by host:port first, then by host name; none for other hosts. */
export function distRequestHeaders(tokens: DistTokens, url: string): Record<string, string> {
  const { host, hostname } = new URL(url)
  const token = tokens.get(host.toLowerCase()) ?? tokens.get(hostname.toLowerCase())
  return token ? { authorization: `Bearer ${token}` } : {}
}
