import { createHash, randomBytes } from 'node:crypto'
import { makeTempDir, startFixtureServer } from '@larder/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { SingleFlight, type Flight, type FlightPurpose } from '../flight/index.js'
import { createMemoryStore } from '../store/index.js'
import { createUpstreamClient } from '../upstream/index.js'
import { createCache } from './index.js'

/** The caches coalesce only through the injected factory: what a distributed lock would plug into. */
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Wraps in-process single-flight and records which purpose ran which key. */
function recordingFlights(log: string[]) {
  return <T>(purpose: FlightPurpose): Flight<T> => {
    const inner = new SingleFlight<T>()
    return {
      run: (key, task) =>
        inner.run(key, () => {
          log.push(`${purpose} ${key}`)
          return task()
        }),
    }
  }
}

describe('the flight seam', () => {
  it('routes artifact fills and index fetches through the injected factory, coalesced by it', async () => {
    const body = randomBytes(256 * 1024)
    const fixture = await startFixtureServer({
      handler: (req, res) => (req.url === '/file' ? res.end(body) : res.end(JSON.stringify({ ok: true }))),
    })
    const temp = await makeTempDir('larder-flight-seam-')
    const store = createMemoryStore({ spoolDir: temp.path })
    const upstream = createUpstreamClient({ env: {} })
    cleanups.push(
      () => fixture.stop(),
      () => temp.cleanup(),
      () => upstream.close(),
      () => store.close(),
    )
    const log: string[] = []
    const cache = createCache({ store, upstream, createFlight: recordingFlights(log) })

    const sha256 = createHash('sha256').update(body).digest('hex')
    const gets = Array.from({ length: 10 }, () => cache.artifact({ key: 'test:file', url: `${fixture.url}/file`, expected: { sha256 } }))
    for (const got of await Promise.all(gets)) got.body.resume()
    await cache.index({
      key: 'test:index',
      url: `${fixture.url}/index`,
      process: async (b) => ({ body: await b.readBytes(), contentType: 'application/json' }),
    })
    expect(log.filter((line) => line === 'artifact-fill test:file')).toHaveLength(1)
    expect(log).toContain('artifact-lookup test:file')
    expect(log).toContain('index-fetch test:index')
    expect(log).toContain('index-lookup test:index')
    expect(fixture.hitCount('/file')).toBe(1)
  })
})
