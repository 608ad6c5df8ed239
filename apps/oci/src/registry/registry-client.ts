/**
 * Requests to an upstream registry through its token dance: a 401 with a Bearer challenge gets a token (anonymous, or
 * with the upstream's login) and one retry. Tokens are kept per upstream and scope until they expire, and the challenge
 * is remembered per upstream, so later pulls of another repository fetch their token up front instead of paying a 401.
 */
import { SingleFlight, type UpstreamClient, type UpstreamMethod, type UpstreamResponse } from '@larder/core'
import { OciError } from '../errors/oci-error.js'
import { basicAuthorization, type UpstreamCredentials } from '../settings/credentials.js'
import { parseChallenge, pullScope, type AuthChallenge } from './auth-challenge.js'
import { TokenCache } from './token-cache.js'
import { requestToken } from './token-request.js'

/** The registry a request goes to, and the repository whose pull scope it needs. */
export interface RegistryTarget {
  upstream: string
  baseUrl: string
  repo: string
}

export interface RegistryRequest {
  method?: UpstreamMethod
  /** Below the base URL, starting with /v2/. */
  path: string
  headers?: Record<string, string>
}

export interface AuthorizedResponse {
  response: UpstreamResponse
  /** The headers that authorized it: reused by a fetch the artifact cache makes of the same repository. */
  authorization: Record<string, string>
}

export class RegistryClient {
  /** Per upstream, the challenge of its last 401 (its scope left out: each repository asks for its own). */
  private readonly challenges = new Map<string, AuthChallenge>()
  private readonly tokenFlights = new SingleFlight<Record<string, string>>()

  constructor(
    private readonly upstream: UpstreamClient,
    private readonly credentials: Readonly<Record<string, UpstreamCredentials>>,
    private readonly tokens = new TokenCache(),
  ) {}

  async send(target: RegistryTarget, request: RegistryRequest): Promise<AuthorizedResponse> {
    const scope = pullScope(target.repo)
    const url = `${target.baseUrl}${request.path}`
    const method = request.method ?? 'GET'
    let authorization = await this.knownAuthorization(target, scope)
    let response = await this.upstream.request({ url, method, headers: { ...request.headers, ...authorization } })
    if (response.status !== 401) return { response, authorization }
    const challenge = parseChallenge(response.headers['www-authenticate'])
    response.body.resume()
    if (!challenge || (challenge.scheme !== 'bearer' && challenge.scheme !== 'basic')) throw this.refused(target, 'without a challenge Larder can answer')
    this.challenges.set(target.upstream, { scheme: challenge.scheme, params: { ...challenge.params, scope: '' } })
    // The token we sent (if any) did not do: a fresh one for the scope the registry names.
    this.tokens.drop(target.upstream, scope)
    authorization = await this.answer(target, challenge, challenge.params.scope || scope, scope)
    response = await this.upstream.request({ url, method, headers: { ...request.headers, ...authorization } })
    if (response.status === 401) {
      response.body.resume()
      this.tokens.drop(target.upstream, scope)
      throw this.refused(target, 'even with a token')
    }
    return { response, authorization }
  }

  /** What to send before any 401: a kept token, or one fetched for the challenge this upstream made before. */
  private async knownAuthorization(target: RegistryTarget, scope: string): Promise<Record<string, string>> {
    const token = this.tokens.get(target.upstream, scope)
    if (token) return { authorization: `Bearer ${token}` }
    const challenge = this.challenges.get(target.upstream)
    if (!challenge) return {}
    // Another repository's challenge is only a guess for this one: when it cannot be answered (a Basic login
    // Larder lacks, a token endpoint refusing that scope), the request goes unauthorized and brings its own.
    return this.answer(target, challenge, scope, scope).catch(() => ({}))
  }

  private answer(target: RegistryTarget, challenge: AuthChallenge, wanted: string, keyScope: string): Promise<Record<string, string>> {
    const credentials = this.credentials[target.upstream]
    if (challenge.scheme === 'basic') {
      if (!credentials) return Promise.reject(this.refused(target, 'and wants a login: set one in LARDER_OCI_CREDENTIALS'))
      return Promise.resolve({ authorization: basicAuthorization(credentials) })
    }
    // Concurrent pulls of one repository share one token request.
    return this.tokenFlights.run(`${target.upstream} ${wanted}`, async () => {
      const issued = await requestToken(this.upstream, { upstream: target.upstream, baseUrl: target.baseUrl, challenge, scope: wanted, credentials })
      this.tokens.set(target.upstream, keyScope, issued.token, issued.lifetimeS)
      return { authorization: `Bearer ${issued.token}` }
    })
  }

  private refused(target: RegistryTarget, how: string): OciError {
    const login = this.credentials[target.upstream]
      ? 'check its login in LARDER_OCI_CREDENTIALS'
      : 'a private repository needs a login in LARDER_OCI_CREDENTIALS'
    // Docker Hub answers 401 for repositories that do not exist, too.
    // Clients show the message alone, so what to do goes in it too.
    return new OciError(
      'DENIED',
      'E_UPSTREAM_STATUS',
      `upstream ${target.upstream} refused access to ${target.repo} ${how}: the repository may not exist there, or ${login}`,
      {
        hint: `the repository may not exist there, or ${login}`,
        status: 403,
      },
    )
  }
}
