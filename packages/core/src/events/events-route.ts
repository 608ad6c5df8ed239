/** GET /-/events?since=<id>&limit=<n>: the recent events a token may see, for receivers that poll instead of taking webhooks. */
import { Hono, type MiddlewareHandler } from 'hono'
import { allowsEcosystem, type TokenStore } from '../auth/index.js'
import { LarderError } from '../errors/index.js'
import type { LarderEnv } from '../http/types.js'
import type { PublishEvents } from './publish-events.js'

export const DEFAULT_EVENTS_PAGE = 100

export interface EventsRouteOptions {
  events: PublishEvents
  tokens: TokenStore
  /** The request edge (request id, one log line, metrics) the mirrors run behind too. */
  edge?: MiddlewareHandler<LarderEnv>
}

export function createEventsRoute(options: EventsRouteOptions): Hono<LarderEnv> {
  const app = new Hono<LarderEnv>()
  if (options.edge) app.use('/-/events', options.edge)
  app.get('/-/events', async (c) => {
    const principal = options.tokens.authenticate(c.req.header('authorization'))
    if (!principal) {
      throw new LarderError('E_UNAUTHORIZED', 'listing events needs a token', {
        hint: 'send Authorization: Bearer <token>; it lists the events of the ecosystems the token covers',
      })
    }
    const limitText = c.req.query('limit')
    if (limitText !== undefined && !/^\d{1,6}$/.test(limitText))
      throw new LarderError('E_BAD_REQUEST', `limit must be a whole number up to 999999, got "${limitText.slice(0, 32)}"`)
    const page = await options.events.list(c.req.query('since'), limitText ? Number(limitText) : DEFAULT_EVENTS_PAGE, (event) =>
      allowsEcosystem(principal, event.ecosystem),
    )
    // Larder's own record, like what it hosts: never from an upstream.
    c.set('cacheResult', 'PRIVATE')
    c.header('cache-control', 'no-store')
    return c.json(page)
  })
  return app
}
