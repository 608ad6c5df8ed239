/**
 * A token issuer for Docker's registry in `auth: token` mode: RS256 JWTs signed with a self-made key whose
 * certificate the registry trusts (rootcertbundle), with the libtrust key id distribution looks the key up by.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { startFixtureServer, type FixtureServer } from '../fixture-server/fixture-server.js'
import { makeSelfSigned } from '../tls/self-signed.js'

export interface TokenIssuerOptions {
  /** Where the key and certificate are written. */
  dir: string
  /** The registry's `service` (the tokens' audience). */
  service?: string
  issuer?: string
  /** user -> password; a login gets pull and push. */
  users?: Record<string, string>
  /** Whether a request without a login gets pull access (Docker Hub's public images) or nothing. */
  anonymousPull?: boolean
  expiresInS?: number
}

export interface TokenRequestRecord {
  scopes: string[]
  account: string | undefined
  authorized: boolean
}

export interface TokenIssuer {
  /** The realm: http://127.0.0.1:PORT/token */
  readonly realm: string
  readonly service: string
  readonly issuer: string
  /** PEM certificate for the registry's rootcertbundle. */
  readonly certPath: string
  readonly requests: TokenRequestRecord[]
  /** Settable: whether tokens without a login grant pull (Docker Hub's public images) from now on. */
  anonymousPull: boolean
  stop(): Promise<void>
}

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const service = options.service ?? 'larder-test-registry'
  const issuer = options.issuer ?? 'larder-testkit'
  const { keyPath, certPath } = await makeSelfSigned({ dir: options.dir, subject: '/CN=larder-testkit-token-issuer', stem: 'token' })
  const key = createPrivateKey(await readFile(keyPath))
  const kid = libtrustKeyId(createPublicKey(key))
  const requests: TokenRequestRecord[] = []
  let anonymousPull = options.anonymousPull ?? false
  const server: FixtureServer = await startFixtureServer({
    handler: (req, res) => {
      const url = new URL(req.url ?? '/', 'http://issuer')
      if (url.pathname !== '/token') return void res.writeHead(404).end()
      const login = parseBasic(req.headers.authorization)
      const authorized = login !== undefined && options.users?.[login.user] === login.password
      const scopes = url.searchParams.getAll('scope')
      requests.push({ scopes, account: url.searchParams.get('account') ?? undefined, authorized })
      if (login && !authorized) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}')
      const actions = authorized ? ['pull', 'push'] : anonymousPull ? ['pull'] : []
      const access = scopes.flatMap((scope) => grant(scope, actions))
      const expiresIn = options.expiresInS ?? 300
      const token = signJwt(key, kid, { iss: issuer, sub: login?.user ?? '', aud: service, access }, expiresIn)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() }))
    },
  })
  return {
    realm: `${server.url}/token`,
    service,
    issuer,
    certPath,
    requests,
    get anonymousPull() {
      return anonymousPull
    },
    set anonymousPull(value: boolean) {
      anonymousPull = value
    },
    stop: () => server.stop(),
  }
}

/** distribution's libtrust key id: sha256 of the DER public key, 240 bits in base32, in 12 groups of 4. */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const encoded = base32(createHash('sha256').update(der).digest().subarray(0, 30))
  return encoded.match(/.{4}/g)!.join(':')
}

function signJwt(key: KeyObject, kid: string, claims: Record<string, unknown>, expiresInS: number): string {
  const now = Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: 'RS256', kid }
  const body = { ...claims, iat: now, nbf: now - 10, exp: now + expiresInS, jti: randomUUID() }
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const signingInput = `${encode(header)}.${encode(body)}`
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`
}

/** `repository:name:pull,push` -> the access entry with the actions both asked for and allowed. */
function grant(scope: string, allowed: readonly string[]): { type: string; name: string; actions: string[] }[] {
  const first = scope.indexOf(':')
  const last = scope.lastIndexOf(':')
  if (first < 0 || last === first) return []
  const asked = scope.slice(last + 1).split(',')
  return [{ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: asked.filter((action) => allowed.includes(action)) }]
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = header && /^Basic\s+(.+)$/i.exec(header)
  if (!match) return undefined
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out
}
