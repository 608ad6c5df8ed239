/** The all-in-one server (`npm start`) serves the OCI mirror at /v2/ beside the other mirrors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, startRegistryFixture, type OciLayout, type RegistryFixture, type TempDir } from '@larder/testkit'
import { startLarder } from '../support/larder-process.js'
import { UPSTREAM, buildAndPush, inspectDigest, type OciLarder } from './oci-larder.js'

let work: TempDir
let registry: RegistryFixture
let server: OciLarder
let image: OciLayout

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-oci-server-')
  registry = await startRegistryFixture()
  image = await buildAndPush(registry, work.path, 'team/app', 'v1', [{}])
  // The first start makes the APT signing key; a busy machine makes that slow.
  const started = await startLarder({ readyTimeoutMs: 120_000, env: { LARDER_OCI_UPSTREAMS: `${UPSTREAM}=${registry.url}` } })
  server = { ...started, host: `127.0.0.1:${started.port}` }
}, 300_000)

afterAll(async () => {
  await server?.stop()
  await registry?.cleanup()
  await work?.cleanup()
})

describe('the all-in-one server', () => {
  it('answers OCI clients at /v2/ and lists the mirror in its root document', async () => {
    expect(await inspectDigest(server, `${UPSTREAM}/team/app:v1`)).toBe(image.top.digest)
    const root = (await (await fetch(`${server.url}/`, { headers: { accept: 'application/json' } })).json()) as { mirrors: Record<string, unknown> }
    expect(root.mirrors.oci).toBe('/v2/')
  })
})
