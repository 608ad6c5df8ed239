/** Asks a registry's token endpoint (the realm of its Bearer challenge) for a token: anonymously, or with the upstream's login as Basic. */
import { LarderError, readAll, type UpstreamClient } from '@larder/core'
import { basicAuthorization, type UpstreamCredentials } from '../settings/credentials.js'
import type { AuthChallenge } from './auth-challenge.js'
import { DEFAULT_TOKEN_LIFETIME_S } from './token-cache.js'

const MAX_TOKEN_RESPONSE_BYTES = 256 * 1024

export interface IssuedToken {
  token: string
  lifetimeS: number
}

export interface TokenRequest {
  upstream: string
  /** The registry's base URL: a login for an https registry is never sent to a plain-http realm. */
  baseUrl: string
  challenge: AuthChallenge
  scope: string
  credentials: UpstreamCredentials | undefined
}

export async function requestToken(client: UpstreamClient, request: TokenRequest): Promise<IssuedToken> {
  const { upstream, challenge, scope, credentials } = request
  const realm = realmUrl(upstream, challenge)
  if (credentials && realm.protocol === 'http:' && new URL(request.baseUrl).protocol === 'https:') {
    throw new LarderError('E_UPSTREAM_GARBAGE', `upstream ${upstream} asks for its login at a plain-http token endpoint (${realm.origin})`, {
      hint: 'Larder does not send LARDER_OCI_CREDENTIALS in clear text for an https registry',
    })
  }
  if (challenge.params.service) realm.searchParams.set('service', challenge.params.service)
  realm.searchParams.set('scope', scope)
  if (credentials) realm.searchParams.set('account', credentials.username)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (credentials) headers.authorization = basicAuthorization(credentials)
  const response = await client.request({ url: realm.href, headers })
  if (response.status !== 200) {
    response.body.resume()
    const login = credentials ? `the login of ${upstream} in LARDER_OCI_CREDENTIALS` : 'anonymous access'
    throw new LarderError('E_UPSTREAM_STATUS', `the token endpoint of upstream ${upstream} (${realm.origin}) answered ${response.status} for ${scope}`, {
      hint: response.status === 401 || response.status === 403 ? `it refused ${login}` : 'the upstream may be failing; try again later',
    })
  }
  const body = await readAll(response.body, MAX_TOKEN_RESPONSE_BYTES, `the token answer of ${upstream}`)
  return parseTokenAnswer(upstream, body)
}

/** `{token}` or `{access_token}` (OAuth2 form), `expires_in` seconds (60 when absent). */
export function parseTokenAnswer(upstream: string, body: Buffer): IssuedToken {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch (cause) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `the token endpoint of upstream ${upstream} sent no JSON`, { cause })
  }
  const answer = (parsed ?? {}) as Record<string, unknown>
  const token = typeof answer.token === 'string' && answer.token ? answer.token : answer.access_token
  if (typeof token !== 'string' || !token || /[\r\n]/.test(token)) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `the token endpoint of upstream ${upstream} sent no token`)
  }
  const expires = answer.expires_in
  const lifetimeS = typeof expires === 'number' && Number.isFinite(expires) && expires > 0 ? expires : DEFAULT_TOKEN_LIFETIME_S
  return { token, lifetimeS }
}

function realmUrl(upstream: string, challenge: AuthChallenge): URL {
  const realm = challenge.params.realm
  let url: URL | undefined
  try {
    url = realm ? new URL(realm) : undefined
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `upstream ${upstream} sent a Bearer challenge without a usable realm`)
  }
  return url
}
