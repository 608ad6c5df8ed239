/** Starts the standalone RubyGems mirror (`node apps/gems/dist/main.js`) as a child process for end-to-end tests. */
import type { EnvOverrides } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

export { REPO_ROOT } from '../support/larder-process.js'
export const GEMS_ENTRY = 'apps/gems/dist/main.js'

export interface GemsLarder extends LarderServer {
  /** http://127.0.0.1:PORT/gems/ — what a client's source is set to. */
  readonly source: string
  /** Paths of the requests Larder logged, in order. */
  requestPaths(): Promise<string[]>
}

export async function startGemsLarder(dataDir: string, env: EnvOverrides = {}): Promise<GemsLarder> {
  const server = await startLarder({ dataDir, env, entry: GEMS_ENTRY, readyTimeoutMs: 30_000 })
  return { ...server, source: `${server.url}/gems/`, requestPaths: async () => (await server.requests()).map((r) => r.path) }
}
