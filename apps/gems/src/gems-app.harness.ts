/** Builds the gems app on real parts (fs store, upstream client, fixture gem server) for app.request() tests. */
import { createServices, loadConfig, type LarderServices } from '@larder/core'
import { makeTempDir, startGemsUpstreamFixture, type BuiltGem, type GemsUpstreamFixture } from '@larder/testkit'
import type { Hono } from 'hono'
import { createGemsApp, gemsMirror } from './app.js'

export const TEST_TOKEN = 'gems-test-token-123'
export const BASE = 'http://larder.test:8080'

export interface GemsAppHarness {
  app: Hono<any>
  services: LarderServices
  upstream: GemsUpstreamFixture
  request(path: string, init?: RequestInit): Promise<Response>
  /** Settles when this app's background /info catch-up is done. */
  catchUpIdle(): Promise<void>
  /** A second app over the same store, e.g. offline. */
  reopen(env: Record<string, string>): Promise<GemsAppHarness>
  close(): Promise<void>
}

export async function startGemsAppHarness(gems: BuiltGem[], env: Record<string, string> = {}): Promise<GemsAppHarness> {
  const upstream = await startGemsUpstreamFixture({ gems })
  const dataDir = await makeTempDir('larder-gems-app-')
  const opened: LarderServices[] = []
  const open = async (extraEnv: Record<string, string>): Promise<GemsAppHarness> => {
    const config = loadConfig({
      // Quiet, and an upstream that fails fast: each fault resolves within a test.
      LARDER_LOG_LEVEL: 'silent',
      LARDER_UPSTREAM_TIMEOUT_SECONDS: '2',
      LARDER_UPSTREAM_RETRIES: '0',
      LARDER_DATA_DIR: dataDir.path,
      LARDER_GEMS_UPSTREAM: upstream.url,
      LARDER_TOKENS: `tester=${TEST_TOKEN}:gems,npm-only=npm-only-token-1:npm`,
      ...env,
      ...extraEnv,
    }, { mirrors: [gemsMirror] })
    const services = createServices(config)
    opened.push(services)
    const { app, index } = createGemsApp({ services })
    return {
      app,
      catchUpIdle: () => index.catchUpIdle(),
      services,
      upstream,
      request: (path, init) => Promise.resolve(app.request(`${BASE}${path}`, init)),
      reopen: (more) => open(more),
      close: async () => {
        await Promise.all(opened.map((s) => s.close()))
        await upstream.stop()
        await dataDir.cleanup()
      },
    }
  }
  return open({})
}
