/** The RubyGems app: a mirror of an upstream gem source (compact index, legacy specs, .gem files) plus pushed gems. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, requestEdge, type LarderEnv, type LarderServices } from '@larder/core'
import { ServedIndex } from './compact-index/served-index.js'
import { UpstreamIndex } from './compact-index/upstream-index.js'
import { parseGemPath } from './names/gem-path.js'
import { PrivateGems } from './private/private-gems.js'
import { getDependencies, pushGem, yankGem } from './routes/api-routes.js'
import { getGemFile } from './routes/gem-file-route.js'
import type { GemsContext, GemsRouteContext } from './routes/gems-context.js'
import { getInfo, getNames, getVersions } from './routes/index-routes.js'
import { getLegacySpecs, getQuickSpec } from './routes/legacy-routes.js'

export const DEFAULT_GEMS_PREFIX = '/gems'

export interface GemsAppOptions {
  services: LarderServices
  prefix?: string
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
  const privateGems = new PrivateGems(services.store)
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
  const method = c.req.method
  const isRead = method === 'GET' || method === 'HEAD'
  if (isRead) gems.services.tokens.requireReader(c.req.header('authorization'), 'gems')
  const path = parseGemPath(rawPathAfter(c.req.url, gems.prefix))
  if (isRead) {
    switch (path.kind) {
      case 'root':
        return c.text('Larder RubyGems mirror: use this URL as a gem source.\n')
      case 'versions':
        return getVersions(c, gems)
      case 'names':
        return getNames(c, gems)
      case 'info':
        return getInfo(c, gems, path.name)
      case 'legacy-specs':
        return getLegacySpecs(c, gems, path.file)
      case 'quick-spec':
        return getQuickSpec(c, gems, path.stem)
      case 'gem':
        return getGemFile(c, gems, path.filename)
      case 'dependencies':
        return getDependencies()
    }
  }
  if (method === 'POST' && path.kind === 'push') return pushGem(c, gems)
  if (method === 'DELETE' && path.kind === 'yank') return yankGem(c, gems)
  throw new LarderError('E_NOT_FOUND', `${method} is not supported here`)
}
