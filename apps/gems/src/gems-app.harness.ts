/** Builds the gems app on real parts (fs store, upstream client, fixture gem server) for app.request() tests. */
import { openMirrorTestApp, TEST_BASE_URL, type MirrorTestApp } from '@larder/core/testing'
import { startGemsUpstreamFixture, type BuiltGem, type GemsUpstreamFixture } from '@larder/testkit'
import type { Hono } from 'hono'
import { createGemsApp, gemsMirror, type GemsApp } from './app.js'

export const TEST_TOKEN = 'gems-test-token-123'
export const BASE = TEST_BASE_URL

/** The md5 on a gem's last line of a /versions body: the one a client takes. */
export const lastMd5 = (versions: string, name: string) =>
  versions
    .split('\n')
    .filter((line) => line.startsWith(`${name} `))
    .pop()
    ?.split(' ')
    .pop()

export interface GemsAppHarness extends MirrorTestApp<Hono<any>> {
  upstream: GemsUpstreamFixture
  /** Settles when this app's background /info catch-up is done. */
  catchUpIdle(): Promise<void>
  reopen(env: Record<string, string>): Promise<GemsAppHarness>
}

export async function startGemsAppHarness(gems: BuiltGem[], env: Record<string, string> = {}): Promise<GemsAppHarness> {
  const upstream = await startGemsUpstreamFixture({ gems })
  const indexes = new WeakMap<object, GemsApp['index']>()
  const opened = await openMirrorTestApp({
    mirror: gemsMirror,
    env: () => ({ LARDER_GEMS_UPSTREAM: upstream.url, LARDER_TOKENS: `tester=${TEST_TOKEN}:gems,npm-only=npm-only-token-1:npm`, ...env }),
    build: (services) => {
      const { app, index } = createGemsApp({ services })
      indexes.set(app, index)
      return app
    },
    onClose: () => upstream.stop(),
  })
  const withUpstream = (app: MirrorTestApp<Hono<any>>): GemsAppHarness => ({
    ...app,
    upstream,
    catchUpIdle: () => indexes.get(app.app)!.catchUpIdle(),
    reopen: async (more) => withUpstream(await app.reopen(more)),
  })
  return withUpstream(opened)
}
