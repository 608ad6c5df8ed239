import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenStore, parseTokenList } from '../auth/index.js'
import { errorHandler } from '../http/edge.js'
import type { LarderEnv } from '../http/types.js'
import { createLogger } from '../log/index.js'
import { MetricsRegistry } from '../metrics/index.js'
import { createEventsRoute } from './events-route.js'
import { createPublishEvents, type PublishEvents } from './publish-events.js'

const logger = createLogger({ level: 'silent' })
let dir: string
let events: PublishEvents
let app: Hono<LarderEnv>

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'larder-events-route-'))
  events = createPublishEvents({ dir, webhooks: [], logger })
  const tokens = createTokenStore(parseTokenList('all=all-token-123:*,npm=npm-token-123:npm'))
  app = new Hono<LarderEnv>()
  app.onError(errorHandler({ app: 'test', logger, metrics: new MetricsRegistry() }))
  app.route('/', createEventsRoute({ events, tokens }))
  await events.record({ type: 'publish', ecosystem: 'npm', name: 'a', version: '1.0.0', by: 'all' })
  await events.record({ type: 'upload', ecosystem: 'files', name: 'builds', version: null, by: 'all' })
  await events.record({ type: 'publish', ecosystem: 'npm', name: 'b', version: '2.0.0', by: 'npm' })
})
afterAll(async () => {
  await events.close()
  await rm(dir, { recursive: true, force: true })
})

interface Page {
  events: { name: string }[]
  next: string
}

const list = (query: string, token?: string) =>
  app.request(`http://larder.test/-/events${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})
const page = async (query: string, token: string) => (await (await list(query, token)).json()) as Page

describe('GET /-/events', () => {
  it('needs a token, and lists only the ecosystems the token covers', async () => {
    expect((await list('')).status).toBe(401)
    expect((await list('', 'not-a-token-at-all')).status).toBe(401)
    const all = await page('', 'all-token-123')
    expect(all.events.map((e) => e.name)).toEqual(['a', 'builds', 'b'])
    const npm = await page('', 'npm-token-123')
    expect(npm.events.map((e) => e.name)).toEqual(['a', 'b'])
    expect(npm.next).toBe(all.next)
  })

  it('pages with since and limit, and refuses a malformed since or limit with 400', async () => {
    const first = await page('?limit=1', 'all-token-123')
    expect(first.events.map((e) => e.name)).toEqual(['a'])
    const rest = await page(`?since=${first.next}`, 'all-token-123')
    expect(rest.events.map((e) => e.name)).toEqual(['builds', 'b'])
    expect((await list('?since=%2e%2e%2f', 'all-token-123')).status).toBe(400)
    expect((await list('?limit=-3', 'all-token-123')).status).toBe(400)
  })
})
