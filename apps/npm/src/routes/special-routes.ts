/** The /-/ endpoints: ping, whoami, login, dist-tags, pass-through of search, audit and keys, and refusals of what Larder does not do. */
import { LarderError, passThrough, readLimitedBody } from '@larder/core'
import { parsePackageName, type PackageName } from '../names/package-name.js'
import { isSemver } from '../private/publish-document.js'
import type { NpmContext, NpmRouteContext } from './npm-context.js'
import { unsupportedEndpoint } from './unsupported-routes.js'

const PASS_THROUGH: Record<string, string> = {
  'v1/search': 'npm search',
  'npm/v1/security/advisories/bulk': 'npm audit',
  'npm/v1/security/audits/quick': 'npm audit',
  'npm/v1/security/audits': 'npm audit',
  'npm/v1/keys': 'npm audit signatures',
}

export async function handleSpecial(c: NpmRouteContext, npm: NpmContext, segments: string[]): Promise<Response> {
  const joined = segments.join('/')
  const method = c.req.method
  if (joined === 'ping') return c.json({})
  if (joined === 'whoami') {
    const principal = npm.services.tokens.authenticate(c.req.header('authorization'))
    if (!principal) throw new LarderError('E_UNAUTHORIZED', 'not logged in to Larder', { hint: 'set _authToken for this registry to a Larder token' })
    return c.json({ username: principal.name })
  }
  if (segments[0] === 'user' && segments.length === 2 && method === 'PUT') return login(c, npm)
  if (segments[0] === 'package' && segments.includes('dist-tags')) return distTags(c, npm, segments.slice(1))
  const unsupported = unsupportedEndpoint(method, segments)
  if (unsupported) throw unsupported
  const purpose = PASS_THROUGH[joined]
  if (purpose) {
    const query = new URL(c.req.url).search
    const forwarded = passThrough(c, {
      upstream: npm.services.upstream,
      url: `${npm.services.config.upstreams.npm}/-/${joined}${query}`,
      offline: npm.services.config.offline,
      purpose,
    })
    // npm treats anything but 404 from the keys endpoint as fatal (npm/cli#5479): "no keys" is the honest answer.
    if (joined === 'npm/v1/keys') {
      return forwarded.catch((err: unknown) => {
        throw new LarderError('E_NOT_FOUND', 'registry signing keys are not available from the upstream right now', { cause: err })
      })
    }
    return forwarded
  }
  throw new LarderError('E_NOT_FOUND', `no such npm endpoint: /-/${joined.slice(0, 120)}`)
}

/** Legacy `npm login`: the password is a Larder token; answering with it lets npm store it as _authToken. */
async function login(c: NpmRouteContext, npm: NpmContext): Promise<Response> {
  const body = await readLimitedBody(c.req.raw, 64 * 1024, 'login')
  let password: unknown
  try {
    password = JSON.parse(body.toString('utf8')).password
  } catch {
    password = undefined
  }
  const principal = typeof password === 'string' ? npm.services.tokens.authenticate(`Bearer ${password}`) : undefined
  if (!principal) throw new LarderError('E_UNAUTHORIZED', 'login refused', { hint: 'use a Larder token from LARDER_TOKENS as the password' })
  return c.json({ ok: true, id: `org.couchdb.user:${principal.name}`, token: password }, 201)
}

/** /-/package/<name>/dist-tags[/<tag>]: read for any package, change for private ones. */
async function distTags(c: NpmRouteContext, npm: NpmContext, segments: string[]): Promise<Response> {
  const at = segments.indexOf('dist-tags')
  const name: PackageName = parsePackageName(segments.slice(0, at).join('/'))
  const tag = segments[at + 1]
  if (c.req.method === 'GET') {
    const handle = await npm.packuments.get(name)
    c.set('cacheResult', handle.result)
    const tags = (await npm.packuments.readFull(handle))['dist-tags'] ?? {}
    return c.json(tag ? { [tag]: tags[tag] } : tags)
  }
  npm.services.tokens.requirePublisher(c.req.header('authorization'), 'npm')
  if (!tag || !/^[A-Za-z0-9._~-]+$/.test(tag) || isSemver(tag)) throw new LarderError('E_BAD_REQUEST', `invalid dist-tag "${tag ?? ''}"`)
  if (c.req.method === 'DELETE') {
    await npm.privateRegistry.setDistTag(name, tag, undefined)
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
  await npm.privateRegistry.setDistTag(name, tag, version)
  return c.json({ ok: true }, 201)
}
