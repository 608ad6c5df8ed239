/** One Hono app for a process: the operations endpoints, every mirror it serves at its prefix, and a root document listing them. */
import { Hono } from 'hono'
import { createEventsRoute } from '../events/index.js'
import { createOpsRoutes, errorHandler, notFoundHandler, requestEdge, type LarderEnv } from '../http/index.js'
import type { LarderServices } from '../services/index.js'
import { createStatusRoutes } from '../status/index.js'
import type { MirrorDeclaration } from './declaration.js'
import { mountMirror, type MountedMirror } from './mount-mirror.js'

export interface ComposedMirrors {
  app: Hono<LarderEnv>
  mounted: MountedMirror[]
}

// Each declaration has its own settings type.
export type AnyMirrorDeclaration = MirrorDeclaration<any>

export function composeMirrors(services: LarderServices, mirrors: readonly AnyMirrorDeclaration[]): ComposedMirrors {
  const app = new Hono<LarderEnv>()
  app.route('/', createOpsRoutes({ metrics: services.metrics, ready: () => services.ready() }))
  const eventsEdge = { app: 'events', logger: services.logger, metrics: services.metrics, via: services.via }
  const events = createEventsRoute({ events: services.events, tokens: services.tokens, edge: requestEdge(eventsEdge) })
  events.onError(errorHandler(eventsEdge))
  app.route('/', events)
  const mounted = mirrors.map((declaration) => mountMirror(declaration, services))
  for (const mirror of mounted) app.route('/', mirror.app)
  const clientUrls = mirrors.map((declaration, i) => {
    const paths = mounted[i]!.handler.clientPaths ?? '/'
    return typeof paths === 'string' ? `${declaration.prefix}${paths}` : paths.map((path) => `${declaration.prefix}${path}`)
  })
  // Browsers get the status page at /; every other client goes on to the JSON document below.
  const statusMirrors = mirrors.map(({ name, prefix }, i) => ({ name, prefix, urls: [clientUrls[i]!].flat() }))
  app.route('/', createStatusRoutes({ services, mirrors: statusMirrors }))
  app.get('/', (c) =>
    c.json({
      name: 'larder',
      mirrors: Object.fromEntries(mirrors.map((declaration, i) => [declaration.name, clientUrls[i]!])),
      ops: ['/healthz', '/readyz', '/metrics', '/-/events'],
    }),
  )
  app.notFound(notFoundHandler)
  return { app, mounted }
}
