/** Builds the APT app on real parts (fs store, upstream client, a fixture archive built with dpkg-deb and apt-ftparchive) for app.request() tests. */
import { join } from 'node:path'
import { openMirrorTestApp, TEST_BASE_URL, type MirrorTestApp } from '@larder/core/testing'
import { aptKeyringsEnv, startAptUpstreamFixture, type AptUpstreamFixture, type AptUpstreamFixtureOptions, type BuiltDeb } from '@larder/testkit'
import { aptMirror, createApp, type AptApp } from './app.js'

export const TEST_TOKEN = 'apt-test-token-123'
export const BASE = TEST_BASE_URL

export interface AptAppHarness extends MirrorTestApp<AptApp> {
  upstream: AptUpstreamFixture
  bytes(path: string, init?: RequestInit): Promise<{ status: number; body: Buffer; headers: Headers }>
  reopen(env: Record<string, string>): Promise<AptAppHarness>
}

export async function startAptAppHarness(debs: BuiltDeb[], env: Record<string, string> = {}, fixture: AptUpstreamFixtureOptions = {}): Promise<AptAppHarness> {
  const upstream = await startAptUpstreamFixture({ ...fixture, debs })
  const opened = await openMirrorTestApp({
    mirror: aptMirror,
    env: (dataDir) => ({
      LARDER_APT_UPSTREAMS: `fixture=${upstream.url}`,
      // The fixture's own key checks its Release signatures, as Debian's keyring does for Debian.
      ...aptKeyringsEnv({ fixture: upstream.key }),
      LARDER_TOKENS: `tester=${TEST_TOKEN}:apt,npmonly=npm-only-token-1:npm`,
      LARDER_INDEX_TTL_SECONDS: '0',
      LARDER_APT_SIGNING_KEY: join(dataDir, 'apt', 'signing-key.asc'),
      ...env,
    }),
    build: (services) => createApp({ services }),
    onClose: () => upstream.stop(),
  })
  const withUpstream = (app: MirrorTestApp<AptApp>): AptAppHarness => ({
    ...app,
    upstream,
    bytes: async (path, init) => {
      const res = await app.request(path, init)
      return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
    },
    reopen: async (more) => withUpstream(await app.reopen(more)),
  })
  return withUpstream(opened)
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
