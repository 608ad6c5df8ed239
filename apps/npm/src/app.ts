/** The npm registry app: a lazy mirror of an upstream registry plus private packages, mounted under a prefix. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, requestEdge, type LarderEnv, type LarderServices } from '@larder/core'
import { parseNpmPath } from './names/npm-path.js'
import { PackumentSource } from './packument/packument-source.js'
import { PrivateRegistry } from './private/private-registry.js'
import type { NpmContext, NpmRouteContext } from './routes/npm-context.js'
import { getPackument, getVersion } from './routes/packument-routes.js'
import { deletePackage, deleteTarball, putPackage, putRevision } from './routes/publish-routes.js'
import { handleSpecial } from './routes/special-routes.js'
import { getTarball } from './routes/tarball-route.js'

export const DEFAULT_NPM_PREFIX = '/npm'

export const PRIVATE_SCOPES_ENV = 'LARDER_NPM_PRIVATE_SCOPES'

export interface NpmAppOptions {
  services: LarderServices
  prefix?: string
  /** Scopes like '@acme' that are private before anything is published in them; read from LARDER_NPM_PRIVATE_SCOPES when absent. */
  privateScopes?: string[]
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
  const privateRegistry = new PrivateRegistry(services.store, new Set(scopes))
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
  const isRead = method === 'GET' || method === 'HEAD'
  // Writes check the publisher token themselves; everything else (audit POSTs too) is a read.
  if (method !== 'PUT' && method !== 'DELETE') npm.services.tokens.requireReader(c.req.header('authorization'), 'npm')
  const path = parseNpmPath(rawPathAfter(c.req.url, npm.prefix))
  switch (path.kind) {
    case 'root':
      if (isRead) return c.json({ db_name: 'larder-npm', doc_count: 0 })
      break
    case 'special':
      return handleSpecial(c, npm, path.segments)
    case 'packument':
      if (isRead) return getPackument(c, npm, path.name)
      if (method === 'PUT') return putPackage(c, npm, path.name)
      break
    case 'version':
      if (isRead) return getVersion(c, npm, path.name, path.spec)
      break
    case 'tarball':
      if (isRead && !path.rev) return getTarball(c, npm, path.name, path.filename)
      if (method === 'DELETE' && path.rev) return deleteTarball(c, npm, path.name, path.filename)
      break
    case 'revision':
      if (method === 'PUT') return putRevision(c, npm, path.name, path.rev)
      if (method === 'DELETE') return deletePackage(c, npm, path.name, path.rev)
      break
  }
  throw new LarderError('E_METHOD_NOT_ALLOWED', `${method} is not supported on ${path.kind} URLs`)
}
