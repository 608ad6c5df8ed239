/** Under LARDER_PROTECT_READS no answer may be kept by a shared cache: every Cache-Control says private, on streamed, 304 and JSON answers alike. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, startNpmRegistryFixture, type NpmRegistryFixture } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const TOKEN = 'private-cache-token-0123456789'
const AUTH = { authorization: `Bearer ${TOKEN}` }

let fixture: NpmRegistryFixture
const started: LarderServer[] = []

beforeAll(async () => {
  fixture = await startNpmRegistryFixture({ packages: [await packNpmPackage({ name: 'cached-secret', version: '1.0.0' })] })
})
afterAll(async () => {
  for (const larder of started) await larder.stop()
  await fixture?.stop()
})

async function start(protectReads: boolean): Promise<LarderServer> {
  const larder = await startLarder({
    env: { LARDER_NPM_UPSTREAM: fixture.url, LARDER_TOKENS: `ci=${TOKEN}:npm`, LARDER_PROTECT_READS: protectReads ? '1' : '0' },
  })
  started.push(larder)
  return larder
}

/** Cache-Control of the packument, the tarball on a miss and on a hit, its 304, and a JSON endpoint. */
async function cacheControls(larder: LarderServer): Promise<Record<string, string | null>> {
  const tarball = `${larder.npmRegistry}cached-secret/-/cached-secret-1.0.0.tgz`
  const packument = await fetch(`${larder.npmRegistry}cached-secret`, { headers: AUTH })
  await packument.arrayBuffer()
  const miss = await fetch(tarball, { headers: AUTH })
  await miss.arrayBuffer()
  const hit = await fetch(tarball, { headers: AUTH })
  await hit.arrayBuffer()
  const notModified = await fetch(tarball, { headers: { ...AUTH, 'if-none-match': hit.headers.get('etag')! } })
  expect([miss.status, hit.status, notModified.status]).toEqual([200, 200, 304])
  expect(hit.headers.get('x-larder-cache')).toBe('HIT')
  return {
    packument: packument.headers.get('cache-control'),
    miss: miss.headers.get('cache-control'),
    hit: hit.headers.get('cache-control'),
    notModified: notModified.headers.get('cache-control'),
  }
}

describe('Cache-Control under read protection', () => {
  it('is private on every answer when reads need a token', async () => {
    const controls = await cacheControls(await start(true))
    for (const [what, value] of Object.entries(controls)) {
      expect(value, what).toMatch(/^private\b/)
      expect(value, what).not.toMatch(/public/)
    }
    expect(controls.hit).toBe('private, max-age=31536000, immutable')
  })

  it('stays public for an open mirror', async () => {
    const controls = await cacheControls(await start(false))
    expect(controls.hit).toBe('public, max-age=31536000, immutable')
    expect(controls.packument).toMatch(/^public/)
  })
})
