/** The npm registry app: a lazy mirror of an upstream registry plus private packages, mounted under a prefix. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, readRoute, requestEdge, runRoute, writeAction, type LarderEnv, type LarderServices, type RouteMethods } from '@larder/core'
import { parseNpmPath, type NpmPath } from './names/npm-path.js'
import { PackumentSource } from './packument/packument-source.js'
import { PRIVATE_NAMES_ENV, parsePrivateNames, reservedBy } from './private/private-names.js'
import { PrivateRegistry } from './private/private-registry.js'
import type { NpmContext, NpmRouteContext } from './routes/npm-context.js'
import { getPackument, getVersion } from './routes/packument-routes.js'
import { deletePackage, deleteTarball, putPackage, putRevision } from './routes/publish-routes.js'
import { isLoginRequest, login, specialRoutes } from './routes/special-routes.js'
import { getTarball } from './routes/tarball-route.js'

export const DEFAULT_NPM_PREFIX = '/npm'

export const PRIVATE_SCOPES_ENV = 'LARDER_NPM_PRIVATE_SCOPES'

export interface NpmAppOptions {
  services: LarderServices
  prefix?: string
  /** Scopes like '@acme' that are private before anything is published in them; read from LARDER_NPM_PRIVATE_SCOPES when absent. */
  privateScopes?: string[]
  /** Exact names private before their first publish; read from LARDER_NPM_PRIVATE_NAMES when absent. */
  privateNames?: string[]
}

/** Parses `@acme,@internal` (LARDER_NPM_PRIVATE_SCOPES) into bare scope names. */
export function parsePrivateScopes(text: string | undefined): string[] {
  const scopes = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  for (const scope of scopes) {
    if (!/^@[a-z0-9~-][a-z0-9._~-]*$/.test(scope)) {
      throw new LarderError('E_INVALID_OPTION', `${PRIVATE_SCOPES_ENV}: "${scope}" is not a scope like @acme`)
    }
  }
  return scopes.map((scope) => scope.slice(1))
}

export function createApp(options: NpmAppOptions): Hono<LarderEnv> {
  const { services } = options
  const prefix = options.prefix ?? DEFAULT_NPM_PREFIX
  const scopes = options.privateScopes?.map((s) => s.replace(/^@/, '')) ?? parsePrivateScopes(process.env[PRIVATE_SCOPES_ENV])
  const names = parsePrivateNames(options.privateNames?.join(',') ?? process.env[PRIVATE_NAMES_ENV])
  const privateRegistry = new PrivateRegistry(services.store, reservedBy(new Set(scopes), names))
  const npm: NpmContext = { services, prefix, privateRegistry, packuments: new PackumentSource(services, privateRegistry) }
  const edge = { app: 'npm', logger: services.logger, metrics: services.metrics, via: services.via }
  const app = new Hono<LarderEnv>()
  app.use(`${prefix}/*`, requestEdge(edge))
  app.onError(errorHandler(edge))
  app.notFound(notFoundHandler)
  app.all(`${prefix}/*`, (c) => dispatch(c, npm))
  app.all(prefix, (c) => dispatch(c, npm))
  return app
}

async function dispatch(c: NpmRouteContext, npm: NpmContext): Promise<Response> {
  const method = c.req.method
  const authorization = c.req.header('authorization')
  const rawPath = rawPathAfter(c.req.url, npm.prefix)
  if (isLoginRequest(method, rawPath)) return login(c, npm)
  // With LARDER_PROTECT_READS every other request needs a token of npm before anything is parsed or fetched.
  npm.services.tokens.requireReader(authorization, 'npm')
  const path = parseNpmPath(rawPath)
  return runRoute(routesFor(c, npm, path), { method, authorization }, npm.services.tokens, 'npm', `npm ${path.kind} URLs`)
}

/** What each method does on a path: reads and writes are told apart here, not by method, and checked by runRoute. */
function routesFor(c: NpmRouteContext, npm: NpmContext, path: NpmPath): RouteMethods {
  switch (path.kind) {
    case 'root':
      return readRoute(() => c.json({ db_name: 'larder-npm', doc_count: 0 }))
    case 'special':
      return specialRoutes(c, npm, path.segments)
    case 'packument':
      return { ...readRoute(() => getPackument(c, npm, path.name)), PUT: writeAction(() => putPackage(c, npm, path.name)) }
    case 'version':
      return readRoute(() => getVersion(c, npm, path.name, path.spec))
    case 'tarball':
      if (path.rev) return { DELETE: writeAction(() => deleteTarball(c, npm, path.name, path.filename)) }
      return readRoute(() => getTarball(c, npm, path.name, path.filename))
    case 'revision':
      return { PUT: writeAction(() => putRevision(c, npm, path.name, path.rev)), DELETE: writeAction(() => deletePackage(c, npm, path.name, path.rev)) }
  }
}
