/** The edge every mirror shares: request logging and metrics, errors mapped once, the read check, then the route's method table. */
import { Hono } from 'hono'
import { runRoute } from '../auth/index.js'
import { errorHandler, notFoundHandler, rawPathAfter, requestEdge, type LarderEnv } from '../http/index.js'
import type { LarderServices } from '../services/index.js'
import { trafficSeriesOf } from '../status/traffic-series.js'
import { settingsOf, type MirrorDeclaration, type MirrorHandler } from './declaration.js'

export interface MountedMirror {
  app: Hono<LarderEnv>
  handler: MirrorHandler
}

/** Builds a mirror from its declaration and the settings read at start (or `settings`, in tests) and mounts it at its prefix. */
export function mountMirror<S>(declaration: MirrorDeclaration<S>, services: LarderServices, settings?: S): MountedMirror {
  const handler = declaration.create(services, settings ?? settingsOf(declaration, services.config))
  const { name, prefix } = declaration
  const traffic = trafficSeriesOf(services)
  const onRequest = traffic.record.bind(traffic)
  const edge = {
    app: name,
    logger: services.logger,
    metrics: services.metrics,
    via: services.via,
    renderError: handler.renderError,
    onRequest,
    hot: services.hot,
  }
  const app = new Hono<LarderEnv>()
  app.use(prefix, requestEdge(edge))
  app.use(`${prefix}/*`, requestEdge(edge))
  app.onError(errorHandler(edge))
  app.notFound(notFoundHandler)
  const dispatch = async (c: Parameters<MirrorHandler['route']>[0]): Promise<Response> => {
    const rawPath = rawPathAfter(c.req.url, prefix)
    const opened = handler.open?.(c, rawPath)
    if (opened) return opened
    const authorization = c.req.header('authorization')
    // With LARDER_PROTECT_READS every request needs a token of this mirror before anything is parsed or fetched.
    services.tokens.requireReader(authorization, name)
    const route = await handler.route(c, rawPath)
    return runRoute(route.methods, { method: c.req.method, authorization }, services.tokens, name, route.what)
  }
  app.all(`${prefix}/*`, dispatch)
  app.all(prefix, dispatch)
  return { app, handler }
}
