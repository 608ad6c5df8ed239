/**
 * Two replicas on one PostgreSQL index that do not share their locks (as when one replica's session, and its
 * locks, went away mid-upload): uploads to both at once never leave an accepted .deb out of Packages, because
 * a suite commit is fenced on the suite it began from; a refused upload is a 409 that goes through when sent again.
 */
import { join } from 'node:path'
import { createMemoryStore, createServices, loadConfig, openDatabase, withDatabaseIndex, withEntryCache, type LarderServices } from '@larder/core'
import { buildDeb, makeTempDir, startPostgres, type BuiltDeb, type PostgresServer, type TempDir } from '@larder/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aptMirror, createApp, type AptApp } from './app.js'

const TOKEN = 'apt-replicas-token-1'
const auth = { authorization: `Bearer ${TOKEN}` }
let postgres: PostgresServer
let work: TempDir
let debs: BuiltDeb[]
const closing: Array<() => Promise<void>> = []

beforeAll(async () => {
  ;[postgres, work] = await Promise.all([startPostgres(), makeTempDir('larder-apt-replicas-')])
  debs = await Promise.all(
    Array.from({ length: 6 }, (_, i) => buildDeb({ name: `team-tool-${i}`, version: '1.0', architecture: 'amd64', compression: 'gzip' })),
  )
}, 120_000)
afterAll(async () => {
  for (const close of closing.reverse()) await close()
  await postgres?.cleanup()
  await work?.cleanup()
})

describe('hosted APT uploads on two replicas whose locks are not shared', () => {
  it('lists every accepted .deb in Packages, and a refused one once it is sent again', async () => {
    const url = await postgres.createDatabase()
    const blobs = createMemoryStore()
    closing.push(() => blobs.close())
    const replica = (name: string): { services: LarderServices; app: AptApp } => {
      const config = loadConfig(
        {
          LARDER_LOG_LEVEL: 'silent',
          LARDER_DATA_DIR: join(work.path, name),
          LARDER_TOKENS: `ci=${TOKEN}:apt`,
          LARDER_APT_SIGNING_KEY: join(work.path, 'signing-key.asc'),
        },
        { mirrors: [aptMirror] },
      )
      const db = openDatabase({ url })
      const index = withDatabaseIndex(blobs, db)
      const services = createServices(config, { store: withEntryCache(index.store, { externalChanges: index.changes }) })
      closing.push(async () => {
        await services.close()
        await db.close()
      })
      return { services, app: createApp({ services }) }
    }
    const a = replica('a')
    const b = replica('b')
    // One signing key for both: A makes it with its first suite, B reads the same file.
    expect((await a.app.request('http://larder.test/apt/larder/dists/stable/Release')).status).toBe(200)
    const upload = async (on: { app: AptApp }, deb: BuiltDeb): Promise<Response> =>
      on.app.request(`http://larder.test/apt/larder/upload/${deb.filename}`, { method: 'PUT', headers: auth, body: deb.bytes })
    const listed = async () => {
      const res = await b.app.request('http://larder.test/apt/larder/dists/stable/main/binary-amd64/Packages')
      return [...(await res.text()).matchAll(/^Package: (.+)$/gm)].map((m) => m[1]!).sort()
    }
    // Pairs at once, one upload per replica: their suite commits overlap, and the later must not drop the earlier's.
    const refused: BuiltDeb[] = []
    for (let i = 0; i < debs.length; i += 2) {
      const pair = [debs[i]!, debs[i + 1]!]
      const statuses = await Promise.all([upload(a, pair[0]!), upload(b, pair[1]!)].map((res) => res.then((r) => r.status)))
      expect(statuses.every((status) => status === 201 || status === 409)).toBe(true)
      const accepted = pair.filter((_, j) => statuses[j] === 201).map((deb) => deb.name)
      expect(await listed()).toEqual(expect.arrayContaining(accepted))
      refused.push(...pair.filter((_, j) => statuses[j] === 409))
    }
    for (const deb of refused) expect((await upload(a, deb)).status).toBe(201)
    expect(await listed()).toEqual(debs.map((deb) => deb.name).sort())
  })
})
