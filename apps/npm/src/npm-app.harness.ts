/** Builds the npm app on real parts (fs store, upstream client, fixture registry) for app.request() tests. */
import { createServices, loadConfig, type LarderServices } from '@larder/core'
import { makeTempDir, startNpmRegistryFixture, type NpmRegistryFixture, type PackedPackage } from '@larder/testkit'
import type { Hono } from 'hono'
import { createApp, npmMirror } from './app.js'

export const TEST_TOKEN = 'npm-test-token-123'
export const BASE = 'http://larder.test:8080'

export interface NpmAppHarness {
  app: Hono<any>
  services: LarderServices
  registry: NpmRegistryFixture
  request(path: string, init?: RequestInit): Promise<Response>
  /** A second app over the same store, e.g. offline. */
  reopen(env: Record<string, string>): Promise<NpmAppHarness>
  close(): Promise<void>
}

export async function startNpmAppHarness(packages: PackedPackage[], env: Record<string, string> = {}): Promise<NpmAppHarness> {
  const registry = await startNpmRegistryFixture({ packages })
  const dataDir = await makeTempDir('larder-npm-app-')
  const open = async (extraEnv: Record<string, string>): Promise<NpmAppHarness> => {
    const config = loadConfig({
      // Quiet, and an upstream that fails fast: each fault resolves within a test.
      LARDER_LOG_LEVEL: 'silent',
      LARDER_UPSTREAM_TIMEOUT_SECONDS: '2',
      LARDER_UPSTREAM_RETRIES: '0',
      LARDER_DATA_DIR: dataDir.path,
      LARDER_NPM_UPSTREAM: registry.url,
      LARDER_TOKENS: `tester=${TEST_TOKEN}:npm`,
      ...env,
      ...extraEnv,
    }, { mirrors: [npmMirror] })
    const services = createServices(config)
    const app = createApp({ services })
    return {
      app,
      services,
      registry,
      request: (path, init) => Promise.resolve(app.request(`${BASE}${path}`, init)),
      reopen: (more) => open(more),
      close: () => services.close(),
    }
  }
  const harness = await open({})
  const close = harness.close
  harness.close = async () => {
    await close()
    await registry.stop()
    await dataDir.cleanup()
  }
  return harness
}
