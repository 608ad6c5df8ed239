/** Once images have passed through Larder, pulls by tag, by digest and by platform keep working with the registry stopped and with LARDER_OFFLINE=1; an uncached tag fails clearly. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startRegistryFixture, type OciLayout, type RegistryFixture, type TempDir } from '@larder/testkit'
import { UPSTREAM, buildAndPush, failedPull, inspectDigest, pullThrough, startOciLarder, type OciLarder } from './oci-larder.js'

let work: TempDir
let dataDir: TempDir
let registry: RegistryFixture
let larder: OciLarder | undefined
let single: OciLayout
let multi: OciLayout
let outs = 0
const out = () => join(work.path, `out-${++outs}`)

/** A new Larder process on the same store and port: no state but the store carries over. */
async function restartLarder(env: Record<string, string> = {}): Promise<OciLarder> {
  const port = larder?.port
  await larder?.stop()
  // TTL 0: every pull by tag asks the registry, so a stopped one is noticed at once.
  larder = await startOciLarder(registry, { dataDir: dataDir.path, port, env: { LARDER_INDEX_TTL_SECONDS: '0', ...env } })
  return larder
}

/** Every pull the warm phase made, with the digests it must give again. */
async function pullEverything(server: OciLarder, phase: string): Promise<void> {
  const context = `(${phase})`
  expect(await pullThrough(server, `${UPSTREAM}/team/app:v1`, out(), { context })).toBe(single.top.digest)
  expect(await pullThrough(server, `${UPSTREAM}/team/app@${single.top.digest}`, out(), { context })).toBe(single.top.digest)
  expect(await inspectDigest(server, `${UPSTREAM}/team/multi:v1`)).toBe(multi.top.digest)
  for (const [i, arch] of ['amd64', 'arm64'].entries()) {
    const digest = multi.images[i]!.manifest.digest
    expect(await pullThrough(server, `${UPSTREAM}/team/multi:v1`, out(), { arch, context })).toBe(digest)
    expect(await pullThrough(server, `${UPSTREAM}/team/multi@${digest}`, out(), { context })).toBe(digest)
  }
}

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-oci-outage-')
  dataDir = await makeTempDir('larder-e2e-oci-outage-data-')
  registry = await startRegistryFixture()
  single = await buildAndPush(registry, work.path, 'team/app', 'v1', [{}])
  multi = await buildAndPush(registry, work.path, 'team/multi', 'v1', [
    { platform: { os: 'linux', architecture: 'amd64' } },
    { platform: { os: 'linux', architecture: 'arm64' } },
  ])
  await buildAndPush(registry, work.path, 'team/app', 'never-pulled', [{ files: { 'other.txt': 'other\n' } }])
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await registry?.cleanup()
  await dataDir?.cleanup()
  await work?.cleanup()
})

describe('pulls through Larder when the upstream registry is gone', () => {
  it('warms the cache while the registry is up, revalidating tags with HEAD only', async () => {
    const server = await restartLarder()
    await pullEverything(server, 'healthy')
    await pullEverything(server, 'healthy again')
    // TTL 0 made the second pull by tag ask again: with a HEAD, the manifest itself fetched once.
    expect(registry.count('GET', (path) => path === '/v2/team/app/manifests/v1')).toBe(1)
    expect(registry.count('HEAD', (path) => path === '/v2/team/app/manifests/v1')).toBeGreaterThanOrEqual(1)
  })

  it('serves every cached pull, with the same digests, after the registry has stopped', async () => {
    await registry.stop()
    const server = await restartLarder()
    await pullEverything(server, 'registry stopped')
    expect((await server.requests()).some((line) => line.cache === 'STALE')).toBe(true)
    // skopeo prints the body of 4xx answers only: a 5xx says "unavailable" by its status, and the body says why.
    expect(await failedPull(server, `${UPSTREAM}/team/app:never-pulled`, out())).toMatch(/50[234] /)
    const direct = await fetch(`${server.url}/v2/${UPSTREAM}/team/app/manifests/never-pulled`)
    const error = ((await direct.json()) as { errors: { code: string; message: string }[] }).errors[0]!
    expect(error.code).toBe('UNAVAILABLE')
    expect(error.message).toMatch(/127\.0\.0\.1/)
  })

  it('serves them with LARDER_OFFLINE=1 and names an uncached tag as not cached', async () => {
    const server = await restartLarder({ LARDER_OFFLINE: '1' })
    await pullEverything(server, 'offline')
    expect((await server.requests()).filter((line) => line.path.includes('/manifests/')).every((line) => line.cache === 'OFFLINE')).toBe(true)
    const message = await failedPull(server, `${UPSTREAM}/team/app:never-pulled`, out())
    expect(message).toMatch(/manifest unknown: manifest fixture\/team\/app:never-pulled is not cached and Larder is offline/)
  })
})
