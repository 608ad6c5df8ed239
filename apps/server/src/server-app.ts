/** The all-in-one app: operations endpoints plus every mirror under its prefix, as one Hono app. */
import { Hono } from 'hono'
import { createApp as createAptApp } from '@larder/apt'
import { createOpsRoutes, notFoundHandler, type LarderEnv, type LarderServices } from '@larder/core'
import { createApp as createComposerApp } from '@larder/composer'
import { createApp as createGemsApp } from '@larder/gems'
import { createApp as createNpmApp } from '@larder/npm'
import { createApp as createPypiApp } from '@larder/pypi'

export function createServerApp(services: LarderServices): Hono<LarderEnv> {
  const app = new Hono<LarderEnv>()
  app.route('/', createOpsRoutes({ metrics: services.metrics, ready: () => services.ready() }))
  app.route('/', createNpmApp({ services }))
  app.route('/', createGemsApp({ services }))
  app.route('/', createPypiApp({ services }))
  app.route('/', createComposerApp({ services }))
  app.route('/', createAptApp({ services }))
  app.get('/', (c) =>
    c.json({
      name: 'larder',
      mirrors: {
        npm: '/npm/',
        pypi: '/pypi/simple/',
        composer: '/composer/packages.json',
        gems: '/gems/',
        apt: Object.keys(services.config.upstreams.apt).map((name) => `/apt/${name}/`),
      },
      ops: ['/healthz', '/readyz', '/metrics'],
    }),
  )
  app.notFound(notFoundHandler)
  return app
}
