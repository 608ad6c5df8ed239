/** Tokens for uploads (and optionally reads), scoped per mirror, shared by every app. */
import { createHash, timingSafeEqual } from 'node:crypto'
import { LarderError } from '../errors/index.js'

/** A mirror's name as a token scope ('npm'); the core knows none, the mirrors declare them. */
export type Ecosystem = string
/** A scope is a mirror name: lower case, as in its URL prefix. */
const SCOPE = /^[a-z][a-z0-9-]{0,31}$/

export interface TokenGrant {
  /** Who holds it: shown by whoami and written to logs (never the token itself). */
  name: string
  token: string
  /** Ecosystems this token may publish to; '*' is all of them. */
  scopes: string[]
}

export interface Principal {
  name: string
  scopes: string[]
}

/** What a route does: 'read' serves what is mirrored or hosted, 'write' changes what Larder hosts. */
export type RouteAccess = 'read' | 'write'

/** Whether a principal's scopes cover `ecosystem`: a token of an ecosystem both reads and publishes there. */
export function allowsEcosystem(principal: Principal, ecosystem: Ecosystem): boolean {
  return principal.scopes.includes('*') || principal.scopes.includes(ecosystem)
}

export interface TokenStore {
  /** The principal behind an Authorization header (Bearer, Basic with the token as password, or the bare token). */
  authenticate(authorization: string | undefined): Principal | undefined
  /** Throws E_UNAUTHORIZED / E_FORBIDDEN unless the header grants publishing to `ecosystem`. */
  requirePublisher(authorization: string | undefined, ecosystem: Ecosystem): Principal
  /** When reads are protected, throws E_UNAUTHORIZED (no valid token) or E_FORBIDDEN (another ecosystem's) unless the header may read `ecosystem`. */
  requireReader(authorization: string | undefined, ecosystem: Ecosystem): void
  /** The check for what a route does: a read needs requireReader, a write requirePublisher, whatever the method. */
  requireAccess(authorization: string | undefined, ecosystem: Ecosystem, access: RouteAccess): void
  readonly protectReads: boolean
}

const digest = (token: string) => createHash('sha256').update(token).digest()

/**
 * Parses `name=token:scope+scope,name2=token2:*` (the LARDER_TOKENS format). With `scopes` (the mirrors this
 * process serves) an unknown scope is an error; without, any well-formed one is taken (a one-mirror process
 * shares its token list with the others).
 */
export function parseTokenList(text: string, source = 'LARDER_TOKENS', scopes?: readonly string[]): TokenGrant[] {
  const grants: TokenGrant[] = []
  const items = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'))
  for (const [index, item] of items.entries()) {
    const match = /^([\w.@-]+)=([^:\s]{8,}):([\w*+]+)$/.exec(item)
    if (!match) {
      // Never echo the item: it holds a secret.
      const name = /^[\w.@-]+(?==)/.exec(item)?.[0]
      throw new LarderError('E_INVALID_OPTION', `${source}: cannot read item ${index + 1}${name ? ` (${name})` : ''}`, {
        hint: `each item is name=token:scope+scope, the token at least 8 characters, scopes ${scopes ? `among ${[...scopes, '*'].join(' ')}` : 'mirror names or *'}`,
      })
    }
    const granted = match[3]!.split('+')
    for (const scope of granted) {
      if (scope !== '*' && (!SCOPE.test(scope) || (scopes && !scopes.includes(scope)))) {
        throw new LarderError(
          'E_INVALID_OPTION',
          `${source}: unknown scope "${scope}" for ${match[1]}`,
          scopes ? { hint: `scopes: ${[...scopes, '*'].join(' ')}` } : {},
        )
      }
    }
    grants.push({ name: match[1]!, token: match[2]!, scopes: granted })
  }
  return grants
}

/** Pulls the token out of an Authorization header in any of the forms package managers send. */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined
  const [scheme, ...rest] = header.trim().split(/\s+/)
  const value = rest.join(' ')
  if (/^bearer$/i.test(scheme!)) return value || undefined
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon >= 0 ? decoded.slice(colon + 1) : undefined
  }
  // `gem push` sends the API key as the whole header value.
  return rest.length === 0 ? scheme : undefined
}

export function createTokenStore(grants: TokenGrant[], options: { protectReads?: boolean } = {}): TokenStore {
  const byDigest = grants.map((grant) => ({ digest: digest(grant.token), principal: { name: grant.name, scopes: grant.scopes } }))
  const authenticate = (authorization: string | undefined): Principal | undefined => {
    const token = tokenFromAuthorization(authorization)
    if (!token) return undefined
    const wanted = digest(token)
    return byDigest.find((candidate) => timingSafeEqual(candidate.digest, wanted))?.principal
  }
  return {
    protectReads: options.protectReads ?? false,
    authenticate,
    requirePublisher(authorization, ecosystem) {
      const principal = authenticate(authorization)
      if (!principal) {
        throw new LarderError('E_UNAUTHORIZED', `publishing to ${ecosystem} needs a Larder token`, {
          hint: grants.length === 0 ? 'no tokens are configured: set LARDER_TOKENS or LARDER_TOKENS_FILE' : 'send a token from LARDER_TOKENS',
        })
      }
      if (!allowsEcosystem(principal, ecosystem)) {
        throw new LarderError('E_FORBIDDEN', `token "${principal.name}" may not publish to ${ecosystem}`)
      }
      return principal
    },
    requireReader(authorization, ecosystem) {
      if (!this.protectReads) return
      const principal = authenticate(authorization)
      if (!principal) throw new LarderError('E_UNAUTHORIZED', `reading ${ecosystem} needs a Larder token (LARDER_PROTECT_READS is on)`)
      // A valid token of another ecosystem is known but not allowed here: 403, so clients do not prompt for new credentials.
      if (!allowsEcosystem(principal, ecosystem)) throw new LarderError('E_FORBIDDEN', `token "${principal.name}" may not read ${ecosystem}`)
    },
    requireAccess(authorization, ecosystem, access) {
      if (access === 'write') this.requirePublisher(authorization, ecosystem)
      else this.requireReader(authorization, ecosystem)
    },
  }
}
