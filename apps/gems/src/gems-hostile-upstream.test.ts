import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGem, type BuiltGem } from '@larder/testkit'
import { lastMd5, startGemsAppHarness, type GemsAppHarness } from './gems-app.harness.js'

const md5 = (body: string) => createHash('md5').update(body).digest('hex')

let gem: BuiltGem
const FAULTS = ['portal', 'empty', 'garbage'] as const
let h: GemsAppHarness
let heldVersions: string
let heldInfo: string

beforeAll(async () => {
  gem = await buildGem({ name: 'held-gem', version: '1.0.0' })
  const others = await Promise.all(FAULTS.map((fault) => buildGem({ name: `never-asked-${fault}`, version: '2.0.0' })))
  h = await startGemsAppHarness([gem, ...others])
  heldVersions = await (await h.request('/gems/versions')).text()
  heldInfo = await (await h.request('/gems/info/held-gem')).text()
  expect(lastMd5(heldVersions, 'held-gem')).toBe(md5(heldInfo))
}, 120_000)

afterAll(async () => {
  await h?.close()
})

describe('an upstream answering 200 with something that is no compact index', () => {
  for (const fault of FAULTS) {
    it(`${fault}: keeps serving the /versions and /info it holds, STALE, and stores nothing of it`, async () => {
      const warm = await h.reopen({ LARDER_INDEX_TTL_SECONDS: '0' })
      await h.upstream.setFault(fault)
      try {
        for (const [path, held] of [
          ['/gems/info/held-gem', heldInfo],
          ['/gems/versions', heldVersions],
        ] as const) {
          const res = await warm.request(path)
          expect(res.status).toBe(200)
          expect(res.headers.get('x-larder-cache')).toBe('STALE')
          expect(res.headers.get('x-larder-stale')).toBe('E_UPSTREAM_GARBAGE')
          expect(await res.text()).toBe(held)
        }
        // A gem never fetched is refused, not stored as one with no versions.
        const cold = await warm.request(`/gems/info/never-asked-${fault}`)
        expect(cold.status).toBe(502)
        expect(await cold.json()).toMatchObject({ code: 'E_UPSTREAM_GARBAGE' })
      } finally {
        await h.upstream.setFault(null)
      }
      // Healed, the same process serves upstream's files again and nothing bogus was appended.
      const healed = await (await warm.request('/gems/versions')).text()
      expect(healed).toBe(heldVersions)
      expect(await (await warm.request(`/gems/info/never-asked-${fault}`)).text()).toBe(h.upstream.info(`never-asked-${fault}`))
    })
  }
})
