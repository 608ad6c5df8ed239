/** /metrics of a running server: request durations and bytes per app and cache result, upstream outcomes and circuits, store size, Node's own. */
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { packNpmPackage, startNpmRegistryFixture, waitFor, type NpmRegistryFixture, type PackedPackage } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

let registry: NpmRegistryFixture
let larder: LarderServer
let pkg: PackedPackage
let deadOrigin: string

/** A port nothing listens on: an upstream that refuses every connection. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

beforeAll(async () => {
  pkg = await packNpmPackage({ name: 'metrics-pkg', version: '1.0.0' })
  registry = await startNpmRegistryFixture({ packages: [pkg] })
  deadOrigin = `http://127.0.0.1:${await closedPort()}`
  larder = await startLarder({ env: { LARDER_NPM_UPSTREAM: registry.url, LARDER_PYPI_UPSTREAM: `${deadOrigin}/simple`, LARDER_UPSTREAM_RETRIES: '0' } })
})

afterAll(async () => {
  await larder?.stop()
  await registry?.stop()
})

const metrics = async () => (await fetch(`${larder.url}/metrics`)).text()
const value = (text: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}()[\].+*?^$|\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)

describe('/metrics', () => {
  it('counts what was served and how upstreams answered, and the store once it has been counted', async () => {
    const tarball = `${larder.npmRegistry}metrics-pkg/-/${pkg.filename}`
    expect((await fetch(`${larder.npmRegistry}metrics-pkg`)).status).toBe(200)
    for (let i = 0; i < 2; i++) expect(Buffer.from(await (await fetch(tarball)).arrayBuffer()).length).toBe(pkg.tarball.length)
    for (let i = 0; i < 6; i++) await (await fetch(`${larder.url}/pypi/simple/nothing-there/`)).arrayBuffer()

    const text = await metrics()
    expect(value(text, 'larder_requests_total{app="npm",status="200",cache="HIT"}')).toBe(1)
    expect(value(text, 'larder_request_duration_seconds_count{app="npm",cache="MISS"}')).toBe(2)
    // The HIT's body: its length is known from the store.
    expect(value(text, 'larder_served_bytes_total{app="npm",cache="HIT"}')).toBe(pkg.tarball.length)
    expect(value(text, `larder_upstream_request_duration_seconds_count{origin="${registry.url}",outcome="2xx"}`)).toBeGreaterThanOrEqual(1)
    expect(value(text, `larder_upstream_errors_total{origin="${deadOrigin}",code="E_UPSTREAM_UNREACHABLE"}`)).toBeGreaterThanOrEqual(1)
    // Enough consecutive failures open the dead upstream's circuit: 2.
    expect(value(text, `larder_upstream_circuit_state{origin="${deadOrigin}"}`)).toBe(2)
    expect(value(text, `larder_upstream_circuit_state{origin="${registry.url}"}`)).toBe(0)
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m)
    expect(text).toMatch(/^larder_active_fills 0$/m)

    const counted = await waitFor(
      async () => {
        const later = await metrics()
        return value(later, 'larder_store_bytes{ecosystem="npm",kind="mirrored"}') > 0 ? later : undefined
      },
      { timeoutMs: 20_000, description: 'the store counted for /metrics' },
    )
    expect(value(counted, 'larder_store_bytes{ecosystem="npm",kind="mirrored"}')).toBeGreaterThanOrEqual(pkg.tarball.length)
    expect(value(counted, 'larder_store_entries{ecosystem="npm",kind="hosted"}')).toBe(0)
  })
})
