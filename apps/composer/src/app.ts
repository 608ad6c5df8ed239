/** The Composer app: a v2 repository mirroring an upstream (packagist by default) plus uploaded private packages, under a prefix. */
import { Hono } from 'hono'
import { LarderError, errorHandler, notFoundHandler, rawPathAfter, readAction, readRoute, requestEdge, runRoute, writeAction, type LarderEnv, type LarderServices, type RouteMethods } from '@larder/core'
import { DIST_HOSTS_ENV, parseDistHosts, type DistHosts } from './dists/dist-hosts.js'
import { DIST_TOKENS_ENV, parseDistTokens, type DistTokens } from './dists/dist-tokens.js'
import { P2Source } from './metadata/p2-source.js'
import { UpstreamRoot } from './metadata/upstream-root.js'
import { parseComposerPath, type ComposerPath } from './names/composer-path.js'
import { PRIVATE_NAMES_ENV, parsePrivateNames } from './private/private-names.js'
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
  /** `vendor/*` or `vendor/name` private before their first upload; read from LARDER_COMPOSER_PRIVATE_NAMES when absent. */
  privateNames?: string[]
}

export function createApp(options: ComposerAppOptions): Hono<LarderEnv> {
  const { services } = options
  const prefix = options.prefix ?? DEFAULT_COMPOSER_PREFIX
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new LarderError('E_INVALID_OPTION', `prefix must look like /composer, got "${prefix}"`)
  const root = new UpstreamRoot(services)
  const listed = parsePrivateNames(options.privateNames?.join(',') ?? process.env[PRIVATE_NAMES_ENV])
  const composer: ComposerContext = {
    services,
    prefix,
    root,
    p2: new P2Source(services, root),
    privateRepo: new PrivateRepo(services.store, (name) => listed.has(name)),
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
  const authorization = c.req.header('authorization')
  // With LARDER_PROTECT_READS every request needs a token of composer before anything is parsed or fetched.
  composer.services.tokens.requireReader(authorization, 'composer')
  const path = parseComposerPath(rawPathAfter(c.req.url, composer.prefix))
  return runRoute(routesFor(c, composer, path), { method: c.req.method, authorization }, composer.services.tokens, 'composer', `the Composer ${path.kind} URL`)
}

/** What each method does on a path: reads and writes are told apart here, not by method, and checked by runRoute. */
function routesFor(c: ComposerRouteContext, composer: ComposerContext, path: ComposerPath): RouteMethods {
  switch (path.kind) {
    case 'root':
      return readRoute(() => getRoot(c, composer))
    case 'p2':
      return readRoute(() => getP2(c, composer, path.name, path.dev))
    case 'dist':
      return readRoute(() => getDist(c, composer, path))
    case 'upload':
      return { PUT: writeAction(() => putUpload(c, composer)), POST: writeAction(() => putUpload(c, composer)) }
    case 'advisories':
      // composer audit POSTs its query (packagist also answers GET): a read either way.
      return { ...readRoute(() => advisories(c, composer)), POST: readAction(() => advisories(c, composer)) }
    case 'unknown':
      throw new LarderError('E_NOT_FOUND', `no such Composer endpoint: ${new URL(c.req.url).pathname}`)
  }
}
