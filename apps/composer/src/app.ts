/** The Composer app: a v2 repository mirroring an upstream (packagist by default) plus uploaded private packages, under a prefix. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, requestEdge, type LarderEnv, type LarderServices } from '@larder/core'
import { DIST_HOSTS_ENV, parseDistHosts, type DistHosts } from './dists/dist-hosts.js'
import { DIST_TOKENS_ENV, parseDistTokens, type DistTokens } from './dists/dist-tokens.js'
import { P2Source } from './metadata/p2-source.js'
import { UpstreamRoot } from './metadata/upstream-root.js'
import { parseComposerPath } from './names/composer-path.js'
import { PrivateRepo } from './private/private-repo.js'
import { advisories } from './routes/advisories-route.js'
import type { ComposerContext, ComposerRouteContext } from './routes/composer-context.js'
import { getDist } from './routes/dist-route.js'
import { getP2 } from './routes/p2-route.js'
import { getRoot } from './routes/root-route.js'
import { putUpload } from './routes/upload-route.js'

export const DEFAULT_COMPOSER_PREFIX = '/composer'

export interface ComposerAppOptions {
  services: LarderServices
  prefix?: string
  /** host -> token for dist downloads; read from LARDER_COMPOSER_DIST_TOKENS when omitted. */
  distTokens?: DistTokens
  /** Hosts dists may be fetched from (undefined: any); read from LARDER_COMPOSER_DIST_HOSTS when the option is absent. */
  distHosts?: DistHosts
}

export function createApp(options: ComposerAppOptions): Hono<LarderEnv> {
  const { services } = options
  const prefix = options.prefix ?? DEFAULT_COMPOSER_PREFIX
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new LarderError('E_INVALID_OPTION', `prefix must look like /composer, got "${prefix}"`)
  const root = new UpstreamRoot(services)
  const composer: ComposerContext = {
    services,
    prefix,
    root,
    p2: new P2Source(services, root),
    privateRepo: new PrivateRepo(services.store),
    distTokens: options.distTokens ?? parseDistTokens(process.env[DIST_TOKENS_ENV]),
    distHosts: 'distHosts' in options ? options.distHosts : parseDistHosts(process.env[DIST_HOSTS_ENV]),
  }
  const edge = { app: 'composer', logger: services.logger, metrics: services.metrics, via: services.via }
  const app = new Hono<LarderEnv>()
  app.use(`${prefix}/*`, requestEdge(edge))
  app.onError(errorHandler(edge))
  app.notFound(notFoundHandler)
  app.all(`${prefix}/*`, (c) => dispatch(c, composer))
  app.all(prefix, (c) => dispatch(c, composer))
  return app
}

async function dispatch(c: ComposerRouteContext, composer: ComposerContext): Promise<Response> {
  const method = c.req.method
  const isRead = method === 'GET' || method === 'HEAD'
  if (isRead) composer.services.tokens.requireReader(c.req.header('authorization'), 'composer')
  const path = parseComposerPath(rawPathAfter(c.req.url, composer.prefix))
  switch (path.kind) {
    case 'root':
      if (isRead) return getRoot(c, composer)
      break
    case 'p2':
      if (isRead) return getP2(c, composer, path.name, path.dev)
      break
    case 'dist':
      if (isRead) return getDist(c, composer, path)
      break
    case 'upload':
      if (method === 'PUT' || method === 'POST') return putUpload(c, composer)
      break
    case 'advisories':
      if (method !== 'POST' && !isRead) break
      // composer audit POSTs its query: still a read.
      if (!isRead) composer.services.tokens.requireReader(c.req.header('authorization'), 'composer')
      return advisories(c, composer)
    case 'unknown':
      throw new LarderError('E_NOT_FOUND', `no such Composer endpoint: ${new URL(c.req.url).pathname}`)
  }
  throw new LarderError('E_NOT_FOUND', `${method} is not supported here`)
}
