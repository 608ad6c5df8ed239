/** Builds the npm app on real parts (fs store, upstream client, fixture registry) for app.request() tests. */
import { openMirrorTestApp, TEST_BASE_URL, type MirrorTestApp } from '@larder/core/testing'
import { startNpmRegistryFixture, type NpmRegistryFixture, type PackedPackage } from '@larder/testkit'
import type { Hono } from 'hono'
import { npmMirror } from './app.js'

export const TEST_TOKEN = 'npm-test-token-123'
export const BASE = TEST_BASE_URL

export interface NpmAppHarness extends MirrorTestApp<Hono<any>> {
  registry: NpmRegistryFixture
  reopen(env: Record<string, string>): Promise<NpmAppHarness>
}

export async function startNpmAppHarness(packages: PackedPackage[], env: Record<string, string> = {}): Promise<NpmAppHarness> {
  const registry = await startNpmRegistryFixture({ packages })
  const opened = await openMirrorTestApp({
    mirror: npmMirror,
    env: () => ({ LARDER_NPM_UPSTREAM: registry.url, LARDER_TOKENS: `tester=${TEST_TOKEN}:npm`, ...env }),
    onClose: () => registry.stop(),
  })
  const withRegistry = (app: MirrorTestApp<Hono<any>>): NpmAppHarness => ({ ...app, registry, reopen: async (more) => withRegistry(await app.reopen(more)) })
  return withRegistry(opened)
}
