/** Starts the Composer app alone (`node apps/composer/dist/main.js`, the same /composer layout as the all-in-one server) for end-to-end tests. */
import type { EnvOverrides } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

export { REPO_ROOT } from '../support/larder-process.js'
export const COMPOSER_ENTRY = 'apps/composer/dist/main.js'

export interface ComposerServer extends LarderServer {
  /** http://127.0.0.1:PORT/composer: the repository URL in composer.json. */
  readonly repositoryUrl: string
}

export interface StartComposerServerOptions {
  /** Reuse a store (a restart); a fresh temp dir otherwise, removed by stop(). */
  dataDir?: string
  /** A restart on the port of an earlier process keeps the mirror URLs in composer.lock valid. */
  port?: number
  env?: EnvOverrides
}

export async function startComposerServer(options: StartComposerServerOptions = {}): Promise<ComposerServer> {
  const server = await startLarder({ ...options, entry: COMPOSER_ENTRY, readyTimeoutMs: 60_000 })
  return { ...server, repositoryUrl: `${server.url}/composer` }
}
