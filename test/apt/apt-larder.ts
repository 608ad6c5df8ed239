/** Starts the APT app alone (`node apps/apt/dist/main.js`, the same /apt/ layout as the all-in-one server) for end-to-end tests. */
import type { EnvOverrides } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

export { REPO_ROOT } from '../support/larder-process.js'
export const APT_ENTRY = 'apps/apt/dist/main.js'

export interface AptLarder extends LarderServer {
  /** http://127.0.0.1:PORT/apt */
  readonly apt: string
}

export async function startAptLarder(dataDir: string, env: EnvOverrides = {}): Promise<AptLarder> {
  // The first start makes an RSA signing key; a busy machine makes that slow.
  const server = await startLarder({ dataDir, env, entry: APT_ENTRY, readyTimeoutMs: 120_000 })
  return { ...server, apt: `${server.url}/apt` }
}
