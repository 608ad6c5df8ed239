/** Upstream logins (`name=user:token,...`): parsed once, kept out of every message and log line. */
import { LarderError } from '@larder/core'

export interface UpstreamCredentials {
  username: string
  /** A password or access token; never put in a message. */
  secret: string
}

/** Parses LARDER_OCI_CREDENTIALS; every name must be a configured upstream. Errors name the entry by upstream and user only. */
export function parseCredentials(variable: string, text: string | undefined, upstreams: readonly string[]): Record<string, UpstreamCredentials> {
  const out: Record<string, UpstreamCredentials> = {}
  for (const item of (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf('=')
    const name = eq > 0 ? item.slice(0, eq) : ''
    const login = item.slice(eq + 1)
    const colon = login.indexOf(':')
    if (!name || colon <= 0 || colon === login.length - 1) {
      // The item may hold a secret: say where it is, not what it is.
      const where = name ? `the entry for "${name}"` : `entry ${Object.keys(out).length + 1}`
      throw new LarderError('E_INVALID_OPTION', `${variable}: ${where} must look like name=user:token`)
    }
    if (!upstreams.includes(name)) {
      throw new LarderError('E_INVALID_OPTION', `${variable}: "${name}" is not a name in LARDER_OCI_UPSTREAMS`, { hint: `names: ${upstreams.join(', ')}` })
    }
    if (Object.hasOwn(out, name)) throw new LarderError('E_INVALID_OPTION', `${variable}: "${name}" has two logins`)
    out[name] = { username: login.slice(0, colon), secret: login.slice(colon + 1) }
  }
  return out
}

/** The value of an HTTP Basic Authorization header. */
export function basicAuthorization(credentials: UpstreamCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.secret}`).toString('base64')}`
}
