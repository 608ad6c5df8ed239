/** The status pages: GET / for browsers (other clients go on to the JSON root document), search, and one name's entries. */
import { Hono, type Context } from 'hono'
import { LarderError } from '../errors/index.js'
import { errorHandler, requestEdge, type EdgeOptions, type LarderEnv } from '../http/index.js'
import { pinnedKeys } from '../maintenance/pins.js'
import type { LarderServices } from '../services/index.js'
import { renderStatusError } from './error-page.js'
import { keysOfName, MAX_SEARCH_RESULTS, searchNames } from './name-catalog.js'
import { NamePage } from './name-page.js'
import { wantsHtml } from './negotiate.js'
import { SearchPage } from './search-page.js'
import { requireStatusReader } from './status-access.js'
import { StatusPage } from './status-page.js'
import { NAME_PATH, SEARCH_PATH } from './status-paths.js'
import { statusSnapshot, type StatusMirror } from './status-snapshot.js'
import { trafficSeriesOf } from './traffic-series.js'

export interface StatusRoutesOptions {
  services: LarderServices
  mirrors: readonly StatusMirror[]
}

/** Mount before the JSON root: a request that is not a browser's passes on to it untouched. */
export function createStatusRoutes(options: StatusRoutesOptions): Hono<LarderEnv> {
  const { services, mirrors } = options
  const series = trafficSeriesOf(services)
  const ecosystems = mirrors.map((m) => m.name)
  const edgeOptions: EdgeOptions = { app: 'status', logger: services.logger, metrics: services.metrics, via: services.via, renderError: renderStatusError }
  const edge = requestEdge(edgeOptions)
  const app = new Hono<LarderEnv>()
  app.use('/', (c, next) => (wantsHtml(c.req.header('accept')) ? edge(c, next) : next()))
  app.use('/-/status/*', edge)
  app.onError(errorHandler(edgeOptions))
  // Larder's own record, for the token holder: never kept by a shared cache.
  const ownAnswer = (c: Context<LarderEnv>) => {
    c.set('cacheResult', 'PRIVATE')
    c.header('cache-control', 'no-store')
  }

  app.get('/', async (c, next) => {
    if (!wantsHtml(c.req.header('accept'))) return next()
    requireStatusReader(services.tokens, c.req.header('authorization'))
    ownAnswer(c)
    return c.html(StatusPage({ snapshot: await statusSnapshot(services, mirrors, series) }))
  })

  app.get(SEARCH_PATH, async (c) => {
    requireStatusReader(services.tokens, c.req.header('authorization'))
    const query = (c.req.query('q') ?? '').slice(0, 200)
    const { results, truncated } = await searchNames(services.store, query, { ecosystems })
    ownAnswer(c)
    return c.html(SearchPage({ query, results, truncated, limit: MAX_SEARCH_RESULTS }))
  })

  app.get(NAME_PATH, async (c) => {
    requireStatusReader(services.tokens, c.req.header('authorization'))
    const ecosystem = c.req.query('ecosystem') ?? ''
    const name = c.req.query('name') ?? ''
    if (!ecosystems.includes(ecosystem)) throw new LarderError('E_NOT_FOUND', `no mirror named "${ecosystem.slice(0, 32)}" here`)
    if (!name || name.length > 512) throw new LarderError('E_BAD_REQUEST', 'name must be given (up to 512 characters)')
    const keys = await keysOfName(services.store, ecosystem, name)
    const pins = await pinnedKeys(services.store)
    const entries = await Promise.all(keys.map(async (k) => ({ ...k, entry: await services.store.getEntry(k.key), pinned: pins.has(k.key) })))
    ownAnswer(c)
    return c.html(NamePage({ ecosystem, name, entries, now: Date.now() }))
  })
  return app
}
