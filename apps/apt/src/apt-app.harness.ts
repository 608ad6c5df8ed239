/** Builds the APT app on real parts (fs store, upstream client, a fixture archive built with dpkg-deb and apt-ftparchive) for app.request() tests. */
import { join } from 'node:path'
import { createServices, loadConfig, type LarderServices } from '@larder/core'
import { aptKeyringsEnv, makeTempDir, startAptUpstreamFixture, type AptUpstreamFixture, type AptUpstreamFixtureOptions, type BuiltDeb } from '@larder/testkit'
import { aptMirror, createApp, type AptApp } from './app.js'

export const TEST_TOKEN = 'apt-test-token-123'
export const BASE = 'http://larder.test:8080'

export interface AptAppHarness {
  app: AptApp
  services: LarderServices
  upstream: AptUpstreamFixture
  dataDir: string
  request(path: string, init?: RequestInit): Promise<Response>
  bytes(path: string, init?: RequestInit): Promise<{ status: number; body: Buffer; headers: Headers }>
  /** A second app over the same store, e.g. offline. */
  reopen(env: Record<string, string>): Promise<AptAppHarness>
  close(): Promise<void>
}

export async function startAptAppHarness(debs: BuiltDeb[], env: Record<string, string> = {}, fixture: AptUpstreamFixtureOptions = {}): Promise<AptAppHarness> {
  const upstream = await startAptUpstreamFixture({ ...fixture, debs })
  const dataDir = await makeTempDir('larder-apt-app-')
  const opened: LarderServices[] = []
  const open = async (extraEnv: Record<string, string>): Promise<AptAppHarness> => {
    const allEnv = {
      LARDER_DATA_DIR: dataDir.path,
      LARDER_APT_UPSTREAMS: `fixture=${upstream.url}`,
      // The fixture's own key checks its Release signatures, as Debian's keyring does for Debian.
      ...aptKeyringsEnv({ fixture: upstream.key }),
      LARDER_TOKENS: `tester=${TEST_TOKEN}:apt,npmonly=npm-only-token-1:npm`,
      LARDER_INDEX_TTL_SECONDS: '0',
      LARDER_APT_SIGNING_KEY: join(dataDir.path, 'apt', 'signing-key.asc'),
      ...env,
      ...extraEnv,
    }
    const config = loadConfig(allEnv, { mirrors: [aptMirror] })
    const services = createServices(config)
    opened.push(services)
    const app = createApp({ services })
    const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(`${BASE}${path}`, init))
    return {
      app,
      services,
      upstream,
      dataDir: dataDir.path,
      request,
      bytes: async (path, init) => {
        const res = await request(path, init)
        return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
      },
      reopen: (more) => open(more),
      close: async () => {
        for (const s of opened) await s.close()
        await upstream.stop()
        await dataDir.cleanup()
      },
    }
  }
  return open({})
}

/** `sha256 size path` lines of a Release's SHA256 section, by path. */
export function sha256Table(release: string): Record<string, { sha256: string; size: number }> {
  const table: Record<string, { sha256: string; size: number }> = {}
  const section = /^SHA256:\n((?: .*\n?)*)/m.exec(release)?.[1] ?? ''
  for (const line of section.split('\n').filter(Boolean)) {
    const [sha256, size, path] = line.trim().split(/\s+/)
    table[path!] = { sha256: sha256!, size: Number(size) }
  }
  return table
}
