/** Starts the PyPI app alone (`node apps/pypi/dist/main.js`, the same /pypi/ layout as the all-in-one server) for end-to-end tests. */
import type { EnvOverrides } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

export { REPO_ROOT } from '../support/larder-process.js'
export const PYPI_ENTRY = 'apps/pypi/dist/main.js'

export interface PypiServer extends LarderServer {
  /** http://127.0.0.1:PORT/pypi/simple/ */
  readonly indexUrl: string
  /** http://127.0.0.1:PORT/pypi/ (twine's --repository-url) */
  readonly uploadUrl: string
}

export interface StartPypiOptions {
  /** Reuse a store (a restart); a fresh temp dir otherwise, removed by stop(). */
  dataDir?: string
  env?: EnvOverrides
}

export async function startPypiServer(options: StartPypiOptions = {}): Promise<PypiServer> {
  const server = await startLarder({ ...options, entry: PYPI_ENTRY, readyTimeoutMs: 60_000 })
  return { ...server, indexUrl: `${server.url}/pypi/simple/`, uploadUrl: `${server.url}/pypi/` }
}
