/** The RubyGems app: a mirror of an upstream gem source (compact index, legacy specs, .gem files) plus pushed gems. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, readRoute, requestEdge, runRoute, writeAction, type LarderEnv, type LarderServices, type RouteMethods } from '@larder/core'
import { ServedIndex } from './compact-index/served-index.js'
import { UpstreamIndex } from './compact-index/upstream-index.js'
import { parseGemPath, type GemPath } from './names/gem-path.js'
import { PrivateGems } from './private/private-gems.js'
import { PRIVATE_NAMES_ENV, parsePrivateNames } from './private/private-names.js'
import { getDependencies, pushGem, yankGem } from './routes/api-routes.js'
import { getGemFile } from './routes/gem-file-route.js'
import type { GemsContext, GemsRouteContext } from './routes/gems-context.js'
import { getInfo, getNames, getVersions } from './routes/index-routes.js'
import { getLegacySpecs, getQuickSpec } from './routes/legacy-routes.js'

export const DEFAULT_GEMS_PREFIX = '/gems'

export interface GemsAppOptions {
  services: LarderServices
  prefix?: string
  /** Gems (or `prefix*`) private before their first push; read from LARDER_GEMS_PRIVATE_NAMES when absent. */
  privateNames?: string[]
}

export interface GemsApp {
  app: Hono<LarderEnv>
  /** The compact index it serves: catchUpIdle() settles when background /info refreshes are done. */
  index: ServedIndex
}

export function createApp(options: GemsAppOptions): Hono<LarderEnv> {
  return createGemsApp(options).app
}

export function createGemsApp(options: GemsAppOptions): GemsApp {
  const { services } = options
  const prefix = options.prefix ?? DEFAULT_GEMS_PREFIX
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new LarderError('E_INVALID_OPTION', `prefix must be a path like /gems, got "${prefix}"`)
  const upstream = new UpstreamIndex(services)
  const listed = parsePrivateNames(options.privateNames?.join(',') ?? process.env[PRIVATE_NAMES_ENV])
  const privateGems = new PrivateGems(services.store, (name) => listed.has(name))
  const gems: GemsContext = { services, prefix, upstream, privateGems, index: new ServedIndex(services, upstream, privateGems) }
  const edge = { app: 'gems', logger: services.logger, metrics: services.metrics, via: services.via }
  const app = new Hono<LarderEnv>()
  app.use(`${prefix}/*`, requestEdge(edge))
  app.onError(errorHandler(edge))
  app.notFound(notFoundHandler)
  app.all(`${prefix}/*`, (c) => dispatch(c, gems))
  app.all(prefix, (c) => dispatch(c, gems))
  return { app, index: gems.index }
}

async function dispatch(c: GemsRouteContext, gems: GemsContext): Promise<Response> {
  const authorization = c.req.header('authorization')
  // With LARDER_PROTECT_READS every request needs a token of gems before anything is parsed or fetched.
  gems.services.tokens.requireReader(authorization, 'gems')
  const path = parseGemPath(rawPathAfter(c.req.url, gems.prefix))
  return runRoute(routesFor(c, gems, path), { method: c.req.method, authorization }, gems.services.tokens, 'gems', `the RubyGems ${path.kind} URL`)
}

/** What each method does on a path: reads and writes are told apart here, not by method, and checked by runRoute. */
function routesFor(c: GemsRouteContext, gems: GemsContext, path: GemPath): RouteMethods {
  switch (path.kind) {
    case 'root':
      return readRoute(() => c.text('Larder RubyGems mirror: use this URL as a gem source.\n'))
    case 'versions':
      return readRoute(() => getVersions(c, gems))
    case 'names':
      return readRoute(() => getNames(c, gems))
    case 'info':
      return readRoute(() => getInfo(c, gems, path.name))
    case 'legacy-specs':
      return readRoute(() => getLegacySpecs(c, gems, path.file))
    case 'quick-spec':
      return readRoute(() => getQuickSpec(c, gems, path.stem))
    case 'gem':
      return readRoute(() => getGemFile(c, gems, path.filename))
    case 'dependencies':
      return readRoute(() => getDependencies())
    case 'push':
      return { POST: writeAction(() => pushGem(c, gems)) }
    case 'yank':
      return { DELETE: writeAction(() => yankGem(c, gems)) }
  }
}
