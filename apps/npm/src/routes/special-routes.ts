/** The /-/ endpoints: ping, whoami, login, dist-tags, pass-through of search, audit and keys, and refusals of what Larder does not do. */
import {
  LarderError,
  allowsEcosystem,
  methodNotAllowed,
  passThrough,
  readAction,
  readLimitedBody,
  readRoute,
  writeAction,
  type PassThroughMethod,
  type RouteMethods,
} from '@larder/core'
import { parsePackageName, type PackageName } from '../names/package-name.js'
import { DIST_TAG_RULE, isNewDistTag } from '../private/publish-document.js'
import type { NpmContext, NpmRouteContext } from './npm-context.js'
import { unsupportedEndpoint } from './unsupported-routes.js'

/** Each forwarded endpoint with the methods registry.npmjs.org has there; npm sends nothing else to them. */
const PASS_THROUGH: Record<string, { purpose: string; methods: readonly PassThroughMethod[] }> = {
  'v1/search': { purpose: 'npm search', methods: ['GET', 'HEAD'] },
  'npm/v1/security/advisories/bulk': { purpose: 'npm audit', methods: ['POST'] },
  'npm/v1/security/audits/quick': { purpose: 'npm audit', methods: ['POST'] },
  'npm/v1/security/audits': { purpose: 'npm audit', methods: ['POST'] },
  'npm/v1/keys': { purpose: 'npm audit signatures', methods: ['GET', 'HEAD'] },
}

const LOGIN_PATH = /^\/-\/user\/org\.couchdb\.user(?::|%3a)[^/]+$/i

/**
 * Legacy `npm login` (`PUT /-/user/org.couchdb.user:<name>`, the fallback after web login): the one
 * request let through without a token even when reads are protected, since it is how a client without one
 * presents one. It answers only with what the body holds and never reaches upstream.
 */
export function isLoginRequest(method: string, rawPath: string): boolean {
  return method === 'PUT' && LOGIN_PATH.test(rawPath)
}

/** What each method does on a /-/ URL; refusals of what Larder does not do are thrown at once. */
export function specialRoutes(c: NpmRouteContext, npm: NpmContext, segments: string[]): RouteMethods {
  const joined = segments.join('/')
  const method = c.req.method
  if (joined === 'ping') return readRoute(() => c.json({}))
  if (joined === 'whoami') return readRoute(() => whoami(c, npm))
  if (segments[0] === 'package' && segments.includes('dist-tags')) {
    const run = () => distTags(c, npm, segments.slice(1))
    return { ...readRoute(run), PUT: writeAction(run), DELETE: writeAction(run) }
  }
  const unsupported = unsupportedEndpoint(method, segments)
  if (unsupported) throw unsupported
  // A login PUT never gets here (isLoginRequest); any other method on a user URL is one login does not take.
  if (segments[0] === 'user' && segments.length === 2 && method !== 'PUT') throw methodNotAllowed(method, ['PUT'], 'npm login')
  const endpoint = PASS_THROUGH[joined]
  if (endpoint) {
    const forward = () => forwardToUpstream(c, npm, joined, endpoint)
    return Object.fromEntries(endpoint.methods.map((allowed) => [allowed, readAction(forward)]))
  }
  throw new LarderError('E_NOT_FOUND', `no such npm endpoint: /-/${joined.slice(0, 120)}`)
}

function forwardToUpstream(c: NpmRouteContext, npm: NpmContext, joined: string, endpoint: (typeof PASS_THROUGH)[string]): Promise<Response> {
  const query = new URL(c.req.url).search
  const forwarded = passThrough(c, {
    upstream: npm.services.upstream,
    url: `${npm.settings.upstream}/-/${joined}${query}`,
    offline: npm.services.config.offline,
    purpose: endpoint.purpose,
    methods: endpoint.methods,
    // The registry's audit and search endpoints read which npm command is asking.
    forwardHeaders: ['npm-command'],
  })
  // npm treats anything but 404 from the keys endpoint as fatal (npm/cli#5479): "no keys" is the honest answer.
  if (joined !== 'npm/v1/keys') return forwarded
  return forwarded.catch((err: unknown) => {
    throw new LarderError('E_NOT_FOUND', 'registry signing keys are not available from the upstream right now', { cause: err })
  })
}

/** `npm whoami`: the name of a token that may use this registry. */
function whoami(c: NpmRouteContext, npm: NpmContext): Response {
  const principal = npm.services.tokens.authenticate(c.req.header('authorization'))
  if (!principal) throw new LarderError('E_UNAUTHORIZED', 'not logged in to Larder', { hint: 'set _authToken for this registry to a Larder token' })
  if (!allowsEcosystem(principal, 'npm')) throw new LarderError('E_FORBIDDEN', `token "${principal.name}" has no npm scope`)
  return c.json({ username: principal.name })
}

/** Legacy `npm login`: the password is a Larder token with the npm scope; answering with it lets npm store it as _authToken. */
export async function login(c: NpmRouteContext, npm: NpmContext): Promise<Response> {
  const body = await readLimitedBody(c.req.raw, 64 * 1024, 'login')
  let password: unknown
  try {
    password = JSON.parse(body.toString('utf8')).password
  } catch {
    password = undefined
  }
  const principal = typeof password === 'string' ? npm.services.tokens.authenticate(`Bearer ${password}`) : undefined
  if (!principal) throw new LarderError('E_UNAUTHORIZED', 'login refused', { hint: 'use a Larder token from LARDER_TOKENS as the password' })
  if (!allowsEcosystem(principal, 'npm')) throw new LarderError('E_FORBIDDEN', `login refused: token "${principal.name}" has no npm scope`)
  return c.json({ ok: true, id: `org.couchdb.user:${principal.name}`, token: password }, 201)
}

/** /-/package/<name>/dist-tags[/<tag>]: read for any package, change for private ones. */
async function distTags(c: NpmRouteContext, npm: NpmContext, segments: string[]): Promise<Response> {
  const at = segments.indexOf('dist-tags')
  const name: PackageName = parsePackageName(segments.slice(0, at).join('/'))
  const tag = segments[at + 1]
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    const handle = await npm.packuments.get(name)
    c.set('cacheResult', handle.result)
    const tags = (await npm.packuments.readFull(handle))['dist-tags'] ?? {}
    return c.json(tag ? { [tag]: tags[tag] } : tags)
  }
  const principal = npm.services.tokens.requirePublisher(c.req.header('authorization'), 'npm')
  if (!tag) throw new LarderError('E_BAD_REQUEST', 'name the dist-tag: /-/package/<name>/dist-tags/<tag>')
  if (c.req.method === 'DELETE') {
    await npm.privateRegistry.setDistTag(name, tag, undefined, principal)
    return c.json({ ok: true })
  }
  const body = (await readLimitedBody(c.req.raw, 4096, 'dist-tag')).toString('utf8')
  let version: unknown
  try {
    version = JSON.parse(body)
  } catch {
    version = body.trim()
  }
  if (typeof version !== 'string') throw new LarderError('E_BAD_REQUEST', 'the dist-tag body must be a version string')
  // Only a tag being set is held to the rule: an old one that breaks it can still be removed.
  if (!isNewDistTag(tag)) throw new LarderError('E_BAD_REQUEST', `invalid dist-tag "${tag.slice(0, 64)}" (${DIST_TAG_RULE})`)
  await npm.privateRegistry.setDistTag(name, tag, version, principal)
  return c.json({ ok: true }, 201)
}
